// swift-tools-version: 6.1
// Host side of Swiftlet: the portable memory core as a library and its tests.
// The kernel images are built by the Makefile from the same core sources.
import PackageDescription

let package = Package(
    name: "Swiftlet",
    products: [
        .library(name: "MemoryCore", targets: ["MemoryCore"])
    ],
    dependencies: [
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1")
    ],
    targets: [
        .target(name: "MemoryCore"),
        .testTarget(
            name: "MemoryCoreTests",
            dependencies: [
                "MemoryCore",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
    ]
)
