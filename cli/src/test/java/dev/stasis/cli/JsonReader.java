package dev.stasis.cli;

import java.util.List;
import java.util.Map;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the JSON that {@code --json} prints, strictly (Jackson, trailing text refused): objects
 * become maps, arrays lists, integers {@code Long}.
 */
final class JsonReader {
  private static final JsonMapper JSON = JsonMapper.builder()
      .enable(DeserializationFeature.USE_LONG_FOR_INTS)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private JsonReader() {}

  static Object parse(String text) {
    return JSON.readValue(text, Object.class);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> object(String text) {
    return (Map<String, Object>) parse(text);
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> arrayOfObjects(String text) {
    return (List<Map<String, Object>>) parse(text);
  }
}
