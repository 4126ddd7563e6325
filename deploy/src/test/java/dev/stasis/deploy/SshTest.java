package dev.stasis.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The ssh command line that reaches a target: it never prompts, it adds nothing that weakens
 * host key checking (known_hosts decides), the deployment's options come before the destination,
 * and the remote command is quoted for the remote shell. (DeploySshIT in the cli module runs it
 * against a real sshd, with unknown and changed host keys.)
 */
class SshTest {
  private static TargetSpec target(String address, List<String> options) {
    return new TargetSpec("db1", Address.parse(address, "test"), "/var/state/it's here", "/opt/stasis/bin/stasis",
        options, Map.of());
  }

  @Test
  void theCommandAsksNothingAndLeavesHostKeysToKnownHosts() {
    List<String> c = Ssh.command(target("ssh://deploy@db1.example:2222", List.of("-i", "/root/.ssh/deploy")));
    assertEquals(List.of("ssh", "-o", "BatchMode=yes", "-p", "2222", "-i", "/root/.ssh/deploy", "--",
        "deploy@db1.example", "'/opt/stasis/bin/stasis' deploy agent --store '/var/state/it'\\''s here'"), c);
    for (String word : c) {
      String w = word.toLowerCase(Locale.ROOT);
      assertTrue(!w.contains("stricthostkeychecking") && !w.contains("knownhostsfile")
          && !w.contains("checkhostip") && !w.contains("/dev/null"), "weakens host key checking: " + word);
    }
  }

  @Test
  void withoutPortOrOptionsOnlyBatchModeIsAdded() {
    assertEquals(List.of("ssh", "-o", "BatchMode=yes", "--", "db1", "'/opt/stasis/bin/stasis' deploy agent --store"
        + " '/var/state/it'\\''s here'"), Ssh.command(target("ssh://db1", List.of())));
  }
}
