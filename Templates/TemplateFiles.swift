/// The templates and the C++ layer library, embedded into the binary (see Package.swift), so
/// `bnn-hls` needs no files beside it at run time.
public enum TemplateFiles {
    /// The hand-written library copied verbatim into every generated project.
    public static let library: [(name: String, contents: [UInt8])] = [
        ("bnn_activation.hpp", PackageResources.bnn_activation_hpp),
        ("bnn_argmax.hpp", PackageResources.bnn_argmax_hpp),
        ("bnn_binarize.hpp", PackageResources.bnn_binarize_hpp),
        ("bnn_join.hpp", PackageResources.bnn_join_hpp),
        ("bnn_lanes.hpp", PackageResources.bnn_lanes_hpp),
        ("bnn_library.hpp", PackageResources.bnn_library_hpp),
        ("bnn_mvau.hpp", PackageResources.bnn_mvau_hpp),
        ("bnn_pool.hpp", PackageResources.bnn_pool_hpp),
        ("bnn_repack.hpp", PackageResources.bnn_repack_hpp),
        ("bnn_rom.hpp", PackageResources.bnn_rom_hpp),
        ("bnn_stream_width.hpp", PackageResources.bnn_stream_width_hpp),
        ("bnn_threaded_csim.hpp", PackageResources.bnn_threaded_csim_hpp),
        ("bnn_window.hpp", PackageResources.bnn_window_hpp),
        ("fetch_hls_headers.sh", PackageResources.fetch_hls_headers_sh),
    ]

    /// Added to the library in `--runtime-weights` projects only (ROM projects keep their files).
    public static let runtimeLibrary: [(name: String, contents: [UInt8])] = [
        ("bnn_weight_file.hpp", PackageResources.bnn_weight_file_hpp),
        ("bnn_weight_ram.hpp", PackageResources.bnn_weight_ram_hpp),
    ]

    /// The `{{key}}` templates of the thin generated files.
    public static let templates: [(name: String, contents: [UInt8])] = [
        ("Makefile.tmpl", PackageResources.Makefile_tmpl),
        ("README.md.tmpl", PackageResources.README_md_tmpl),
        ("board.tcl.tmpl", PackageResources.board_tcl_tmpl),
        ("board_top.cpp.tmpl", PackageResources.board_top_cpp_tmpl),
        ("driver_lib.cpp.tmpl", PackageResources.driver_lib_cpp_tmpl),
        ("hls_config.cfg.tmpl", PackageResources.hls_config_cfg_tmpl),
        ("ip.tcl.tmpl", PackageResources.ip_tcl_tmpl),
        ("params.hpp.tmpl", PackageResources.params_hpp_tmpl),
        ("run_hls.tcl.tmpl", PackageResources.run_hls_tcl_tmpl),
        ("testbench.cpp.tmpl", PackageResources.testbench_cpp_tmpl),
        ("top.cpp.tmpl", PackageResources.top_cpp_tmpl),
        ("top.hpp.tmpl", PackageResources.top_hpp_tmpl),
        ("top_runtime.cpp.tmpl", PackageResources.top_runtime_cpp_tmpl),
    ]

    /// The host driver, copied verbatim into `driver/` (it reads the design from design.json).
    public static let driver: [(name: String, contents: [UInt8])] = [
        ("bnn_driver.py", PackageResources.bnn_driver_py),
    ]

    public static func named(_ name: String) -> [UInt8]? {
        (templates + library + runtimeLibrary + driver).first { $0.name == name }?.contents
    }
}
