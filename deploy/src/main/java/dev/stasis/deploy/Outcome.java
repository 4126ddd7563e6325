package dev.stasis.deploy;

/**
 * What a deployment command did for one service (or one machine, for clean-snapshots).
 *
 * @param subject the service's name, or the machine's
 * @param action what was done: {@code snapshot}, {@code restore}, {@code migrate}, {@code clean}, ...
 * @param status {@code done}, {@code unchanged}, {@code skipped}, {@code planned} (a dry run) or {@code failed}
 * @param detail what happened, in words: the snapshot, the machines, or what failed and how to go on
 * @param snapshot the snapshot concerned, or null
 * @param failure the exception of a failed one, or null
 */
public record Outcome(String subject, String action, String status, String detail, String snapshot,
    Exception failure) {
  public boolean failed() {
    return failure != null;
  }

  static Outcome done(String subject, String action, String status, String detail, Object snapshot) {
    return new Outcome(subject, action, status, detail, snapshot == null ? null : snapshot.toString(), null);
  }

  static Outcome failed(String subject, String action, String detail, Exception e) {
    return new Outcome(subject, action, "failed", detail + ": " + e.getMessage(), null, e);
  }
}
