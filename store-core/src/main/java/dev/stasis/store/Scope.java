package dev.stasis.store;

import java.util.Optional;

/** Which components an operation covers: all, one container's, or one component (in one or every container). */
public record Scope(Optional<String> container, Optional<String> component) {
  public Scope {
    container.ifPresent(c -> Names.requireSafe(c, "container name"));
    component.ifPresent(c -> Names.requireSafe(c, "component name"));
  }

  public static Scope all() {
    return new Scope(Optional.empty(), Optional.empty());
  }

  /** Either argument may be null, meaning any. */
  public static Scope of(String container, String component) {
    return new Scope(Optional.ofNullable(container), Optional.ofNullable(component));
  }

  public static Scope of(ComponentRef ref) {
    return of(ref.container(), ref.component());
  }

  public boolean matchesContainer(String name) {
    return container.map(name::equals).orElse(true);
  }

  public boolean matches(ComponentRef ref) {
    return matchesContainer(ref.container()) && component.map(ref.component()::equals).orElse(true);
  }
}
