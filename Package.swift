// swift-tools-version: 6.1
// Host side of Swiftlet: the portable memory core as a library and its tests.
// The kernel images are built by the Makefile from the same core sources.
import PackageDescription

let package = Package(
    name: "Swiftlet",
    products: [
        .library(name: "MemoryCore", targets: ["MemoryCore"]),
        .library(name: "FileSystem", targets: ["FileSystem"]),
        .library(name: "Virtio", targets: ["Virtio"]),
        .executable(name: "layout-maps", targets: ["layout-maps"]),
        .executable(name: "mkfs", targets: ["mkfs"]),
        .executable(name: "fsck", targets: ["fsck"]),
    ],
    dependencies: [
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    ],
    targets: [
        .target(name: "MemoryCore"),
        // The portable file system (on-disk format, buffer cache, log, inodes,
        // directories, paths), compiled unchanged into both kernels.
        .target(name: "FileSystem"),
        .testTarget(
            name: "FileSystemTests",
            dependencies: [
                "FileSystem",
                "FileSystemTools",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        // The portable virtqueue (virtio 1.x split rings), compiled into both
        // kernels; the drivers over it live in Kernel/Drivers.
        .target(name: "Virtio", dependencies: ["MemoryCore"]),
        .testTarget(name: "VirtioTests", dependencies: ["Virtio", "MemoryCore"]),
        .testTarget(
            name: "MemoryCoreTests",
            dependencies: [
                "MemoryCore",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        // Host tools: the memory maps and generated tables of the book (make maps).
        .target(name: "LayoutMaps", dependencies: ["MemoryCore"], path: "Tools/LayoutMaps/Library"),
        .executableTarget(
            name: "layout-maps",
            dependencies: ["LayoutMaps", "FileSystemTools", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Tools/LayoutMaps/Command"
        ),
        .testTarget(name: "LayoutMapsTests", dependencies: ["LayoutMaps", "MemoryCore"]),
        // Host tools of the file system (make fs, make fsck): image building
        // and checking in a library the tests call, and the two commands.
        .target(name: "FileSystemTools", dependencies: ["FileSystem"], path: "Tools/FileSystemTools/Library"),
        .executableTarget(
            name: "mkfs",
            dependencies: ["FileSystemTools", "FileSystem", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Tools/FileSystemTools/Mkfs"
        ),
        .executableTarget(
            name: "fsck",
            dependencies: ["FileSystemTools", "FileSystem", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Tools/FileSystemTools/Fsck"
        ),
        .testTarget(name: "FileSystemToolsTests", dependencies: ["FileSystemTools", "FileSystem"]),
    ]
)
