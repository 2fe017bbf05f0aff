import Foundation
import LayoutMaps
import MemoryCore
import Testing

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Collects element names and text; fails on malformed XML.
final class XMLCollector: NSObject, XMLParserDelegate {
    var elements: [String] = []
    var texts: [String] = []
    var ids: [String] = []
    private var current = ""

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        elements.append(name)
        if let id = attributes["id"] { ids.append(id) }
        current = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { current += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "text" { texts.append(current) }
        current = ""
    }
}

func parse(_ svg: String) throws -> XMLCollector {
    let parser = XMLParser(data: Data(svg.utf8))
    let collector = XMLCollector()
    parser.delegate = collector
    let ok = parser.parse()
    try #require(ok, "SVG is not well-formed XML: \(String(describing: parser.parserError))")
    return collector
}

@Suite struct SVGMapTests {
    @Test(arguments: Catalog.all.map(\.stem))
    func wellFormedAndNamesEveryRegion(stem: String) throws {
        let entry = try #require(Catalog.all.first { $0.stem == stem })
        let xml = try parse(SVGMap(entry.map).render())
        #expect(xml.elements.first == "svg")
        for region in entry.map.regions {
            #expect(xml.texts.contains { $0.hasPrefix(region.name) }, "\(stem): no label for \(region.name)")
            #expect(xml.texts.contains(hex(region.first)), "\(stem): first address of \(region.name) missing")
            #expect(xml.texts.contains(hex(region.last)), "\(stem): last address of \(region.name) missing")
            #expect(xml.ids.contains("band-\(hex(region.first))"), "\(stem): no band for \(region.name)")
        }
    }
}
