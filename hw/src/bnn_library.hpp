// Single entry point for generated code: the HLS types plus every bnn layer template.
#ifndef BNN_LIBRARY_HPP
#define BNN_LIBRARY_HPP

#include <ap_int.h>
#include <hls_stream.h>

#include "bnn_threaded_csim.hpp"

#include "bnn_lanes.hpp"
#include "bnn_rom.hpp"
#include "bnn_activation.hpp"
#include "bnn_mvau.hpp"
#include "bnn_binarize.hpp"
#include "bnn_stream_width.hpp"
#include "bnn_repack.hpp"
#include "bnn_argmax.hpp"
#include "bnn_window.hpp"
#include "bnn_pool.hpp"
#include "bnn_join.hpp"

#endif // BNN_LIBRARY_HPP
