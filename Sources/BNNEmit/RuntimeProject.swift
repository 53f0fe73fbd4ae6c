import BNNDataflow
import BNNDesign

/// The pieces a `--runtime-weights` project adds to the ROM project's files.
struct RuntimeProject {
    let design: Design
    let tables: [RuntimeWeights.Table]
    let image: RuntimeWeights.Image

    init(design: Design, graph: DataflowGraph) {
        self.design = design
        tables = RuntimeWeights.tables(design)
        let top = TopEmitter(design: design, stages: graph.stages, depths: graph.fifo.depths)
        image = RuntimeWeights.Image(signature: RuntimeWeights.fnv1a64(RuntimeWeights.canonicalText(tables, top: top)),
                                     words: tables.flatMap(\.words))
    }

    /// The params header: the RAMs, unfilled (the class tables of border thresholds excepted).
    var definitions: String {
        "// Runtime-writable: every table below is filled through the weights port (bnn_weight_ram.hpp), in this order.\n"
            + tables.map(\.declaration).joined(separator: "\n\n") + "\n"
    }

    /// Words of the class maps, the last table.
    var mapWords: Int { tables.last?.words.count ?? 0 }

    var loads: String { tables.map(\.load).joined(separator: "\n") }

    /// The top header's constants for the loaders and the class maps' declaration.
    func headerDefinitions(_ name: String) -> String {
        """
        // Runtime-writable weights: call with load = 1 and \(name)_WEIGHT_WORDS words on `weights` (a
        // `bnn-hls pack-weights` file whose header carries \(name)_WEIGHT_SIGNATURE) before inference.
        #define \(name)_RUNTIME_WEIGHTS 1
        #define \(name)_WEIGHT_WORDS \(image.words.count)ULL
        #define \(name)_WEIGHT_SIGNATURE 0x\(WeightFile.hex(image.signature))ULL
        #define \(name)_WEIGHT_FORMAT_VERSION \(WeightFile.version)
        // The class logit maps are the last \(name)_LOGIT_MAP_WORDS words (bnn::LoadLogitMaps):
        // a host turning accumulators into logits reads them from the loaded file.
        #define \(name)_LOGIT_MAP_FIRST_WORD \(image.words.count - mapWords)ULL
        #define \(name)_LOGIT_MAP_WORDS \(mapWords)ULL

        """ + RuntimeWeights.classMapsDeclaration(design)
    }

    /// The generated README's note (after the ROM layout, which the RAMs keep).
    static let readme = "\n\n## Runtime-writable weights\n\n"
        + "This design was compiled with `--runtime-weights`: the tables above are RAMs, filled by calling the top "
        + "function with `load = 1` and the words of a `bnn-hls pack-weights` file on the `weights` stream (the "
        + "testbench does it first, from `vectors/weights.bin` or its second argument: `./build/TB VECTORS [WEIGHTS.bin]`). "
        + "A file of another topology or folding is refused by its signature before any word is sent. Word order and "
        + "file format: bnn-hls's docs/deploy.md."

    var testbenchIncludes: String { "\n#include <vector>\n\n#include \"bnn_weight_file.hpp\"" }

    /// Loads the weights file through the port before any frame; a refused file ends the run.
    func testbenchLoad(_ name: String) -> String {
        """

            // Runtime-writable weights: the file (argv[2], default DIR/weights.bin) goes through the port first.
            const std::string weightsPath = argc > 2 ? argv[2] : dir + "/weights.bin";
            hls::stream<ap_uint<32> > weights("weights");
            {
                std::vector<unsigned> words;
                const std::string refused = bnn::ReadWeightFile(weightsPath, \(name)_WEIGHT_SIGNATURE, \(name)_WEIGHT_WORDS, words);
                if (!refused.empty()) {
                    std::fprintf(stderr, "error: %s\\n", refused.c_str());
                    return 2;
                }
                for (size_t i = 0; i < words.size(); i++) weights.write(ap_uint<32>(words[i]));
                hls::stream<\(name)_in_t> noFrame("no_frame");
                hls::stream<\(name)_out_t> noOutput("no_output");
                ::\(name)(noFrame, noOutput, weights, 1);
                if (!weights.empty() || !noOutput.empty()) {
                    std::fprintf(stderr, "error: the design did not take exactly %zu weight words\\n", words.size());
                    return 2;
                }
                std::printf("loaded %zu weight words from %s\\n", words.size(), weightsPath.c_str());
            }
        """
    }
}
