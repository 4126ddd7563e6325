package dev.stasis.s3;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The instance role is asked only on a machine that says it is an EC2 instance. */
class S3CredentialsTest {
  @TempDir
  Path sys;

  @Test
  void withoutAHintOfEc2InstanceMetadataIsNotInTheChain() {
    assertFalse(S3Clients.onEc2(sys));
    assertFalse(S3Clients.credentials(sys).toString().contains("InstanceProfile"),
        S3Clients.credentials(sys).toString());
  }

  @Test
  void anEc2InstanceAsksItsInstanceRoleLast() throws IOException {
    Path vendor = sys.resolve("devices/virtual/dmi/id/sys_vendor");
    Files.createDirectories(vendor.getParent());
    Files.writeString(vendor, "Amazon EC2\n");
    assertTrue(S3Clients.onEc2(sys));
    String chain = S3Clients.credentials(sys).toString();
    assertTrue(chain.contains("InstanceProfile") && chain.indexOf("InstanceProfile") > chain.indexOf("Environment"),
        chain);
  }

  @Test
  void aXenHypervisorUuidOfEc2IsAHint() throws IOException {
    Files.createDirectories(sys.resolve("hypervisor"));
    Files.writeString(sys.resolve("hypervisor/uuid"), "ec2e1916-9099-7caf-fd21-012345abcdef\n");
    assertTrue(S3Clients.onEc2(sys));
  }
}
