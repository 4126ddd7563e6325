package dev.stasis.deploy;

import dev.stasis.modules.DysnomiaNames;
import dev.stasis.modules.spi.UsageException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/**
 * The snapshot mappings and targets of the manifest Disnix writes ({@code disnix-manifest},
 * version 2), read as Disnix reads them:
 *
 * <ul>
 *   <li>each {@code <snapshotMappings><mapping>} is a stateful service: its {@code <service>}
 *       key names a {@code <services><service name=KEY>} (its {@code <name>}, its {@code <type>},
 *       the module, and its {@code <pkg>}, the component), {@code <container>} and
 *       {@code <component>} as written, {@code <target>} a target of {@code <infrastructure>};</li>
 *   <li>a target's container properties are its {@code <containers><container name=C>}'s
 *       {@code <property>} elements, as Disnix hands them to Dysnomia (true as {@code 1}, false
 *       as empty, a list joined by spaces);</li>
 *   <li>where the target is: its property {@code stasisAddress} ({@code local} or
 *       {@code ssh://...}), else {@code ssh://} the value of its {@code <targetProperty>}
 *       (Disnix's target key, a host name); its store: property {@code stasisStateDir}, else
 *       Dysnomia's default; ssh options: property {@code stasisSshOptions} (a list).</li>
 * </ul>
 *
 * Several mappings of one service (redundant instances) become {@code NAME@TARGET}.
 */
final class DisnixManifest {
  private DisnixManifest() {}

  static Manifest parse(String source, byte[] xml) {
    Element root = document(source, xml).getDocumentElement();
    if (!"2".equals(root.getAttribute("version"))) {
      throw new UsageException("%s: Disnix requires a manifest that uses the version 2 structure, and so does"
          + " stasis (convert a version 1 manifest with disnix-convert)", source);
    }
    Map<String, Element> services = new LinkedHashMap<>();
    for (Element s : children(child(root, "services"), "service")) {
      services.put(s.getAttribute("name"), s);
    }
    Map<String, TargetSpec> targets = new LinkedHashMap<>();
    for (Element t : children(child(root, "infrastructure"), "target")) {
      TargetSpec spec = target(source, t, services);
      targets.put(spec.name(), spec);
    }
    List<Element> mappings = children(child(root, "snapshotMappings"), "mapping");
    Map<String, Integer> perName = new LinkedHashMap<>();
    List<String[]> resolved = new ArrayList<>();
    for (Element m : mappings) {
      String key = text(source, m, "service");
      Element service = services.get(key);
      if (service == null) {
        throw new UsageException("%s: a snapshot mapping refers to service %s, which is not among the services",
            source, key);
      }
      String name = text(source, service, "name");
      perName.merge(name, 1, Integer::sum);
      resolved.add(new String[] {name, text(source, m, "target"), text(source, m, "container"),
          text(source, service, "pkg"), text(source, m, "component"), text(source, service, "type")});
    }
    Map<String, Service> stateful = new LinkedHashMap<>();
    for (String[] r : resolved) {
      String name = perName.get(r[0]) > 1 ? r[0] + "@" + r[1] : r[0];
      String component = DysnomiaNames.nameOf(r[3], Map.of()).equals(r[4]) ? r[3] : r[4];
      TargetSpec t = targets.get(r[1]);
      if (t != null && !t.containers().containsKey(r[2])) {
        Map<String, ContainerSpec> containers = new LinkedHashMap<>(t.containers());
        containers.put(r[2], new ContainerSpec(r[2], r[5], Map.of(), null));
        targets.put(t.name(), new TargetSpec(t.name(), t.address(), t.stateDir(), t.stasis(), t.sshOptions(),
            containers));
      } else if (t != null) {
        ContainerSpec c = t.containers().get(r[2]);
        Map<String, ContainerSpec> containers = new LinkedHashMap<>(t.containers());
        containers.put(r[2], new ContainerSpec(c.name(), r[5], c.properties(), null));
        targets.put(t.name(), new TargetSpec(t.name(), t.address(), t.stateDir(), t.stasis(), t.sshOptions(),
            containers));
      }
      stateful.put(name, new Service(name, r[1], r[2], component, null));
    }
    return new Manifest(source, targets, stateful, Optional.empty());
  }

  private static TargetSpec target(String source, Element t, Map<String, Element> services) {
    String name = t.getAttribute("name");
    Map<String, String> properties = properties(child(t, "properties"));
    String address = properties.get("stasisAddress");
    if (address == null) {
      String key = properties.get(Optional.ofNullable(child(t, "targetProperty")).map(Node::getTextContent)
          .map(String::strip).orElse("hostname"));
      if (key == null || key.isEmpty()) {
        throw new UsageException("%s: target %s has no target property to reach it by (and no stasisAddress)",
            source, name);
      }
      address = "ssh://" + key;
    }
    Map<String, ContainerSpec> containers = new LinkedHashMap<>();
    for (Element c : children(child(t, "containers"), "container")) {
      String cname = c.getAttribute("name");
      Map<String, String> props = properties(c);
      containers.put(cname, new ContainerSpec(cname, props.getOrDefault("type", cname), props, null));
    }
    List<String> sshOptions = new ArrayList<>();
    Element props = child(t, "properties");
    for (Element p : children(props, "property")) {
      if (p.getAttribute("name").equals("stasisSshOptions")) {
        for (Element e : elements(p)) {
          sshOptions.add(e.getTextContent());
        }
      }
    }
    return new TargetSpec(name, Address.parse(address, source + ": target " + name),
        properties.getOrDefault("stasisStateDir", "/var/state/dysnomia"), properties.getOrDefault("stasisCommand",
            "stasis"), sshOptions, containers);
  }

  /** {@code <property name=K type=T>} children as Disnix turns them into Dysnomia's KEY=VALUE strings. */
  private static Map<String, String> properties(Element parent) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Element p : children(parent, "property")) {
      out.put(p.getAttribute("name"), value(p));
    }
    return out;
  }

  private static String value(Element p) {
    return switch (p.getAttribute("type")) {
      case "bool" -> p.getTextContent().strip().equals("true") ? "1" : "";
      case "list" -> String.join(" ", elements(p).stream().map(DisnixManifest::value).toList());
      case "attrs" -> "";
      default -> p.getTextContent();
    };
  }

  private static Document document(String source, byte[] xml) {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      f.setExpandEntityReferences(false);
      DocumentBuilder b = f.newDocumentBuilder();
      b.setErrorHandler(null);
      return b.parse(new ByteArrayInputStream(xml));
    } catch (ParserConfigurationException | SAXException | IOException e) {
      throw new UsageException("%s: cannot read it as Disnix's manifest XML (%s)", source, e.getMessage());
    }
  }

  private static Element child(Element parent, String name) {
    if (parent == null) {
      return null;
    }
    for (Element e : elements(parent)) {
      if (e.getTagName().equals(name)) {
        return e;
      }
    }
    return null;
  }

  private static List<Element> children(Element parent, String name) {
    return parent == null ? List.of() : elements(parent).stream().filter(e -> e.getTagName().equals(name)).toList();
  }

  private static List<Element> elements(Element parent) {
    List<Element> out = new ArrayList<>();
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e) {
        out.add(e);
      }
    }
    return out;
  }

  private static String text(String source, Element parent, String name) {
    Element e = child(parent, name);
    if (e == null || e.getTextContent().strip().isEmpty()) {
      throw new UsageException("%s: %s.%s is not set", source, parent.getTagName(), name);
    }
    return e.getTextContent().strip();
  }
}
