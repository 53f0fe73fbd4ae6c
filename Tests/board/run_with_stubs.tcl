# Runs a generated Vivado / Vitis HLS Tcl script under plain tclsh, with every Xilinx command it
# may call replaced by a stub that checks its flags and argument count against the command's
# documented form and records the call (bnn-hls BoardFlowTests).
#
#   tclsh run_with_stubs.tcl LOG SCRIPT [ARG ...]      (in the generated project's directory)
#
# LOG gets one line per Xilinx call (the command and its arguments as a Tcl list), then
# `exit CODE`. A command that is neither Tcl's nor stubbed here, an unknown flag, a flag
# without its value or a wrong count of positional arguments stops the run: the message goes
# to stderr and the exit status is 2. The script's own `exit N` ends the run with status N.
# Stubbed results: get_* return their pattern (or a made-up name), get_property PROGRESS is
# "100%", DIRECTORY a folder under stub_outputs/ holding the files a run would have written,
# make_wrapper the wrapper's path.

set log_path [lindex $argv 0]
set script [lindex $argv 1]
set script_args [lrange $argv 2 end]
set log [open $log_path w]
set stub_root [file normalize stub_outputs]

# command -> {flags-with-value} {flags-without-value} min-positional max-positional (-1: any)
array set forms {
    open_project       {{} {-reset} 1 1}
    set_top            {{} {} 1 1}
    add_files          {{-cflags -csimflags -fileset} {-tb -norecurse} 1 -1}
    open_solution      {{-flow_target} {-reset} 1 1}
    set_part           {{} {} 1 1}
    create_clock       {{-period -name} {} 0 0}
    csim_design        {{-argv -clean} {-O -setup -ldflags} 0 0}
    csynth_design      {{} {} 0 0}
    cosim_design       {{-argv -rtl -trace_level -tool} {-O -setup} 0 0}
    export_design      {{-format -vendor -library -version -ipname -display_name -description -rtl -output -flow -taxonomy} {} 0 0}
    create_project     {{-part} {-force -in_memory} 1 2}
    set_property       {{-dict} {-quiet} 1 3}
    current_project    {{} {} 0 1}
    current_fileset    {{} {} 0 1}
    update_ip_catalog  {{} {-rebuild} 0 0}
    create_bd_design   {{} {} 1 1}
    create_bd_cell     {{-type -vlnv -reference} {} 1 1}
    apply_bd_automation {{-rule -config} {} 1 1}
    get_bd_cells       {{-of_objects -filter} {-quiet -hierarchical} 0 1}
    get_bd_pins        {{-of_objects -filter} {-quiet} 0 1}
    get_bd_intf_pins   {{-of_objects -filter} {-quiet} 0 1}
    connect_bd_net     {{} {} 2 -1}
    connect_bd_intf_net {{} {} 2 2}
    assign_bd_address  {{} {} 0 1}
    validate_bd_design {{} {} 0 0}
    save_bd_design     {{} {} 0 0}
    make_wrapper       {{-files} {-top -import} 0 0}
    get_files          {{-of_objects} {-all -quiet} 0 1}
    update_compile_order {{-fileset} {} 0 0}
    launch_runs        {{-to_step -jobs} {} 1 -1}
    wait_on_run        {{-timeout} {} 1 1}
    get_runs           {{} {} 1 1}
    get_property       {{} {-quiet} 2 2}
}

proc stub_fail {message} {
    puts stderr "stub check failed: $message"
    flush stderr
    exit 2
}

proc stub_check {command args} {
    global forms log
    lassign $forms($command) with_value without_value min max
    set positional {}
    set flags {}
    for {set i 0} {$i < [llength $args]} {incr i} {
        set a [lindex $args $i]
        if {[string index $a 0] eq "-" && ![string is double -strict $a]} {
            if {$a in $with_value} {
                if {$i + 1 >= [llength $args]} { stub_fail "$command: $a needs a value" }
                incr i
                dict set flags $a [lindex $args $i]
            } elseif {$a in $without_value} {
                dict set flags $a 1
            } else {
                stub_fail "$command: unknown flag $a"
            }
        } else {
            lappend positional $a
        }
    }
    set n [llength $positional]
    if {$n < $min || ($max >= 0 && $n > $max)} {
        stub_fail "$command: $n positional arguments ([join $positional {, }]), expects $min to [expr {$max < 0 ? {any} : $max}]"
    }
    if {$command eq "set_property" && ([dict exists $flags -dict] ? $n != 1 : $n != 3)} {
        stub_fail "set_property: expects NAME VALUE OBJECTS or -dict LIST OBJECTS, got $n positional arguments"
    }
    if {$command eq "set_property" && [dict exists $flags -dict] && [llength [dict get $flags -dict]] % 2 != 0} {
        stub_fail "set_property -dict: an odd-length list"
    }
    if {$command eq "create_bd_cell" && (![dict exists $flags -type] || ([dict get $flags -type] eq "ip" && ![dict exists $flags -vlnv]))} {
        stub_fail "create_bd_cell: -type ip needs -vlnv"
    }
    if {$command eq "apply_bd_automation" && (![dict exists $flags -rule] || ![dict exists $flags -config])} {
        stub_fail "apply_bd_automation: needs -rule and -config"
    }
    if {$command eq "apply_bd_automation" && [llength [dict get $flags -config]] % 2 != 0} {
        stub_fail "apply_bd_automation -config: an odd-length list"
    }
    puts $log [linsert $args 0 $command]
    return $positional
}

foreach command [array names forms] {
    proc $command args [format {
        set positional [stub_check %1$s {*}$args]
        return [stub_result %1$s $positional $args]
    } $command]
}

proc stub_result {command positional arguments} {
    global stub_root
    switch -- $command {
        get_property {
            switch -- [lindex $positional 0] {
                PROGRESS { return "100%" }
                DIRECTORY { return [file join $stub_root impl_1] }
                default { return "" }
            }
        }
        make_wrapper { return [file join $stub_root bnn_wrapper.v] }
        current_project { return stub_project }
        current_fileset { return sources_1 }
        get_files {
            if {[lindex $positional 0] eq "bnn.hwh"} { return [list [file join $stub_root bnn.hwh]] }
            return [lindex $positional 0]
        }
        get_bd_cells - get_bd_pins - get_bd_intf_pins - get_runs { return [lindex $positional 0] }
        default { return "" }
    }
}

# What a finished Vivado run would have left behind, for the script's file copies.
file mkdir [file join $stub_root impl_1]
foreach f [list [file join $stub_root impl_1 bnn_wrapper.bit] [file join $stub_root bnn.hwh]] {
    set out [open $f w]
    puts $out "stub [file tail $f]"
    close $out
}

# Anything else that is not Tcl's own: a misspelt or unstubbed command.
rename unknown tcl_unknown
proc unknown {args} { stub_fail "unknown command [lindex $args 0]" }

rename exit tcl_exit
proc exit {{code 0}} {
    global log
    puts $log "exit $code"
    close $log
    tcl_exit $code
}

set argv $script_args
set argc [llength $script_args]
if {[catch {source $script} message]} {
    puts stderr "error in $script: $message"
    exit 2
}
exit 0
