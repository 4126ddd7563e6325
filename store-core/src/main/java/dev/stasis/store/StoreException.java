package dev.stasis.store;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * A store operation failed. The message says what failed, where, and what to try. Subclasses
 * tell callers (and exit codes) apart: {@link NotFoundException}, {@link IntegrityException},
 * {@link LockedException}.
 */
public class StoreException extends RuntimeException {
  public StoreException(String format, Object... args) {
    super(String.format(format, args));
  }

  public StoreException(Throwable cause, String format, Object... args) {
    super(String.format(format, args), cause);
  }

  /**
   * What an I/O failure means, for a person. The JDK's file system exceptions often carry the
   * path alone as their message ({@code /var/state/dysnomia/.stasis/tmp}), which says nothing;
   * a decoder's says {@code Input length = 1}.
   */
  public static String reason(IOException e) {
    if (e instanceof FileSystemException f) {
      String file = f.getFile() + (f.getOtherFile() == null ? "" : " -> " + f.getOtherFile());
      if (e instanceof AccessDeniedException) {
        return "permission denied: " + file;
      } else if (e instanceof NoSuchFileException) {
        return "no such file or directory: " + file;
      } else if (e instanceof NotDirectoryException) {
        return "not a directory: " + file;
      }
      return f.getReason() == null ? e.getClass().getSimpleName().replace("Exception", "") + ": " + file
          : file + ": " + f.getReason();
    }
    if (e instanceof CharacterCodingException) {
      return "not text (UTF-8)";
    }
    return e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
  }
}
