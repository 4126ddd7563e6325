package dev.stasis.store;

/**
 * A numbered entry among a component's generations that is not a link into that component's
 * own snapshots, as the layout writes them ({@code ../../../snapshots/<c>/<comp>/<name>}): a
 * link outside the store or into another component, a link whose last segment is no snapshot
 * name, or no link at all. Its last segment may still name a snapshot of the store (then it is
 * listed as a {@link Generation} too, so numbering sees it), but what it points at is not that
 * snapshot, and the real Dysnomia follows the link: check reports it, gc will not keep it.
 *
 * @param target the link's target as written, or null when the entry is not a link
 */
public record StrayLink(ComponentRef component, long number, String target) {
  /** {@code container/component/N}, as generations are named in messages. */
  public String subject() {
    return component + "/" + number;
  }

  /** What is wrong with it, for people: where it links instead. */
  public String describe() {
    String own = StoreLayout.components(StoreLayout.SNAPSHOTS, component) + "/";
    return target == null
        ? "generation " + subject() + " is not a symbolic link"
        : "generation " + subject() + " links to " + target + ", not into this store's " + own
            + " (as ../../../" + own + "<name>)";
  }
}
