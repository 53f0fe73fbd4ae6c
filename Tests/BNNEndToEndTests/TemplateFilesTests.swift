import Foundation
import Templates
import XCTest

/// The embedded templates are exactly the files in Templates/ (Package.swift lists them by name).
final class TemplateFilesTests: XCTestCase {
    func testEmbeddedFilesMatchTheFolders() throws {
        for (folder, embedded) in [("cpp", TemplateFiles.library + TemplateFiles.runtimeLibrary), ("project", TemplateFiles.templates), ("driver", TemplateFiles.driver)] {
            let names = try FileManager.default.contentsOfDirectory(atPath: TestPaths.inRepo("Templates/\(folder)"))
                .filter { !$0.hasPrefix(".") }.sorted()
            XCTAssertEqual(embedded.map(\.name).sorted(), names, "Templates/\(folder): update Package.swift and TemplateFiles.swift")
            for file in embedded {
                let onDisk = FileManager.default.contents(atPath: TestPaths.inRepo("Templates/\(folder)/\(file.name)"))
                XCTAssertEqual(onDisk.map { [UInt8]($0) }, file.contents, "\(file.name) is stale in the build")
            }
        }
    }
}
