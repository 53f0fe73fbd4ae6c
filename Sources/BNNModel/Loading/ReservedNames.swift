/// Model names the generated C++ cannot use. The model name (after '-' -> '_') names the top
/// function, the types `NAME_in_t` and `NAME_out_t`, the namespace `NAME_io` and the files
/// `src/NAME.cpp`, `src/NAME.hpp`, `src/NAME_params.hpp` and `tb/NAME_tb.cpp`, beside the headers
/// the design and its testbench include (<cstdio>, <cstring>, <string>, ap_int.h, hls_stream.h,
/// the bnn-hls library). Everything else the generated files declare at global scope starts with
/// `bnn_`, and the testbench calls the top function as `::NAME`, so this list is all that clashes.
///
/// `headerMacros` and `headerDeclarations` are what g++ 12 and glibc 2.36 report for those headers
/// (`g++ -dM -E`, and a probe that declares the generated identifiers for every identifier in
/// `g++ -E` output); `ReservedNameProbeTests` asks g++ again and fails when a name is missing here.
enum ReservedNames {
    /// Why `cName` cannot name a model, or nil when it can.
    static func reason(_ cName: String) -> String? {
        if keywords.contains(cName) { return "is a C++ keyword" }
        if cName.hasPrefix("_") || cName.contains("__") {
            return "is reserved in C++ (names starting with '_' or containing \"__\")"
        }
        if cName == "main" { return "is the testbench's main function" }
        let lower = cName.lowercased()
        for (prefix, owner) in prefixes where lower == prefix || lower.hasPrefix(prefix + "_") {
            return "starts with \"\(prefix)\", reserved for \(owner)"
        }
        if headerMacros.contains(cName) { return "is a macro of the headers the generated C++ includes" }
        if headerDeclarations.contains(cName) { return "is declared by the headers the generated C++ includes" }
        if verilogKeywords.contains(cName) || vhdlKeywords.contains(cName.lowercased()) {
            return "is a Verilog or VHDL keyword (Vitis HLS names the RTL module after the top function)"
        }
        return nil
    }

    /// Case-insensitive (file names on macOS and Windows are): `bnn_mvau` would overwrite
    /// src/bnn_mvau.hpp.
    static let prefixes: [(String, String)] = [
        ("bnn", "the bnn-hls layer library (src/bnn_*.hpp, namespace bnn)"),
        ("hls", "Xilinx's HLS headers (namespace hls, hls_*.h)"),
        ("ap", "Xilinx's ap_int.h (ap_* types, AP_* macros)"),
        ("ssdm", "Vitis HLS internals"),
        ("aesl", "Vitis HLS internals"),
    ]

    /// C++20 keywords and alternative tokens, the transactional-memory and reflection TS words
    /// cppreference lists, and GNU's `typeof` (a keyword under -std=gnu++14).
    static let keywords = words("""
        alignas alignof and and_eq asm atomic_cancel atomic_commit atomic_noexcept auto bitand bitor bool
        break case catch char char16_t char32_t char8_t class co_await co_return co_yield compl concept
        const const_cast consteval constexpr constinit continue decltype default delete do double
        dynamic_cast else enum explicit export extern false float for friend goto if inline int long mutable
        namespace new noexcept not not_eq nullptr operator or or_eq private protected public reflexpr
        register reinterpret_cast requires return short signed sizeof static static_assert static_cast
        struct switch synchronized template this thread_local throw true try typedef typeid typename typeof
        union unsigned using virtual void volatile wchar_t while xor xor_eq
        """)

    /// Verilog-2005 keywords (case-sensitive), from IEEE 1364-2005 Annex B.
    static let verilogKeywords = words("""
        always and assign automatic begin buf bufif0 bufif1 case casex casez cell cmos config deassign default
        defparam design disable edge else end endcase endconfig endfunction endgenerate endmodule endprimitive
        endspecify endtable endtask event for force forever fork function generate genvar highz0 highz1 if
        ifnone incdir include initial inout input instance integer join large liblist library localparam
        macromodule medium module nand negedge nmos nor noshowcancelled not notif0 notif1 or output parameter
        pmos posedge primitive pull0 pull1 pulldown pullup pulsestyle_ondetect pulsestyle_onevent rcmos real
        realtime reg release repeat rnmos rpmos rtran rtranif0 rtranif1 scalared showcancelled signed small
        specify specparam strong0 strong1 supply0 supply1 table task time tran tranif0 tranif1 tri tri0 tri1
        triand trior trireg unsigned use uwire vectored wait wand weak0 weak1 while wire wor xnor xor
        """)

    /// VHDL-2008 reserved words (case-insensitive: compared in lower case).
    static let vhdlKeywords = words("""
        abs access after alias all and architecture array assert assume assume_guarantee attribute begin block
        body buffer bus case component configuration constant context cover default disconnect downto else
        elsif end entity exit fairness file for force function generate generic group guarded if impure in
        inertial inout is label library linkage literal loop map mod nand new next nor not null of on open or
        others out package parameter port postponed procedure process property protected pure range record
        register reject release rem report restrict restrict_guarantee return rol ror select sequence severity
        shared signal sla sll sra srl strong subtype then to transport type unaffected units until use variable
        vmode vprop vunit wait when while with xnor xor
        """)

    /// Macros (without a leading underscore) of the headers, under -std=gnu++14/17/20 and c++14.
    static let headerMacros = words("""
        ADJ_ESTERROR ADJ_FREQUENCY ADJ_MAXERROR ADJ_MICRO ADJ_NANO ADJ_OFFSET ADJ_OFFSET_SINGLESHOT
        ADJ_OFFSET_SS_READ ADJ_SETOFFSET ADJ_STATUS ADJ_TAI ADJ_TICK ADJ_TIMECONST AF_REF_REL_OP_WITH_AP_INT
        AF_REF_REL_OP_WITH_INT ALL_OP_REL_WITH_INT ALL_OP_WITH_FLOAT APFX_IEEE_DOUBLE_E_MAX
        APFX_IEEE_DOUBLE_E_MIN BIAS BIG_ENDIAN BIT_WIDTH_UPPER_LIMIT BUFSIZ BYTE_ORDER CLOCKS_PER_SEC
        CLOCK_BOOTTIME CLOCK_BOOTTIME_ALARM CLOCK_MONOTONIC CLOCK_MONOTONIC_COARSE CLOCK_MONOTONIC_RAW
        CLOCK_PROCESS_CPUTIME_ID CLOCK_REALTIME CLOCK_REALTIME_ALARM CLOCK_REALTIME_COARSE CLOCK_TAI
        CLOCK_THREAD_CPUTIME_ID CLONE_CHILD_CLEARTID CLONE_CHILD_SETTID CLONE_DETACHED CLONE_FILES CLONE_FS
        CLONE_IO CLONE_NEWCGROUP CLONE_NEWIPC CLONE_NEWNET CLONE_NEWNS CLONE_NEWPID CLONE_NEWTIME
        CLONE_NEWUSER CLONE_NEWUTS CLONE_PARENT CLONE_PARENT_SETTID CLONE_PIDFD CLONE_PTRACE CLONE_SETTLS
        CLONE_SIGHAND CLONE_SYSVSEM CLONE_THREAD CLONE_UNTRACED CLONE_VFORK CLONE_VM CONCAT_SHIFT_WITH_INT
        CPU_ALLOC CPU_ALLOC_SIZE CPU_AND CPU_AND_S CPU_CLR CPU_CLR_S CPU_COUNT CPU_COUNT_S CPU_EQUAL
        CPU_EQUAL_S CPU_FREE CPU_ISSET CPU_ISSET_S CPU_OR CPU_OR_S CPU_SET CPU_SETSIZE CPU_SET_S CPU_XOR
        CPU_XOR_S CPU_ZERO CPU_ZERO_S CSIGNAL DOUBLE_BIAS DOUBLE_CMP_AF DOUBLE_EXP DOUBLE_MAN E2BIG EACCES
        EADDRINUSE EADDRNOTAVAIL EADV EAFNOSUPPORT EAGAIN EALREADY EBADE EBADF EBADFD EBADMSG EBADR EBADRQC
        EBADSLT EBFONT EBUSY ECANCELED ECHILD ECHRNG ECOMM ECONNABORTED ECONNREFUSED ECONNRESET EDEADLK
        EDEADLOCK EDESTADDRREQ EDOM EDOTDOT EDQUOT EEXIST EFAULT EFBIG EHOSTDOWN EHOSTUNREACH EHWPOISON
        EIDRM EILSEQ EINPROGRESS EINTR EINVAL EIO EISCONN EISDIR EISNAM EKEYEXPIRED EKEYREJECTED EKEYREVOKED
        EL2HLT EL2NSYNC EL3HLT EL3RST ELIBACC ELIBBAD ELIBEXEC ELIBMAX ELIBSCN ELNRNG ELOOP EMEDIUMTYPE
        EMFILE EMLINK EMSGSIZE EMULTIHOP ENAMETOOLONG ENAVAIL ENETDOWN ENETRESET ENETUNREACH ENFILE ENOANO
        ENOBUFS ENOCSI ENODATA ENODEV ENOENT ENOEXEC ENOKEY ENOLCK ENOLINK ENOMEDIUM ENOMEM ENOMSG ENONET
        ENOPKG ENOPROTOOPT ENOSPC ENOSR ENOSTR ENOSYS ENOTBLK ENOTCONN ENOTDIR ENOTEMPTY ENOTNAM
        ENOTRECOVERABLE ENOTSOCK ENOTSUP ENOTTY ENOTUNIQ ENXIO EOF EOPNOTSUPP EOVERFLOW EOWNERDEAD EPERM
        EPFNOSUPPORT EPIPE EPROTO EPROTONOSUPPORT EPROTOTYPE ERANGE EREMCHG EREMOTE EREMOTEIO ERESTART
        ERFKILL EROFS ESHUTDOWN ESOCKTNOSUPPORT ESPIPE ESRCH ESRMNT ESTALE ESTRPIPE ETIME ETIMEDOUT
        ETOOMANYREFS ETXTBSY EUCLEAN EUNATCH EUSERS EWOULDBLOCK EXDEV EXFULL EXIT_FAILURE EXIT_SUCCESS
        FD_CLR FD_ISSET FD_SET FD_SETSIZE FD_ZERO FE_ALL_EXCEPT FE_DFL_ENV FE_DFL_MODE FE_DIVBYZERO
        FE_DOWNWARD FE_INEXACT FE_INVALID FE_NOMASK_ENV FE_OVERFLOW FE_TONEAREST FE_TOWARDZERO FE_UNDERFLOW
        FE_UPWARD FILENAME_MAX FLOAT_BIAS FLOAT_EXP FLOAT_MAN FOPEN_MAX FP_ILOGB0 FP_ILOGBNAN FP_INFINITE
        FP_INT_DOWNWARD FP_INT_TONEAREST FP_INT_TONEARESTFROMZERO FP_INT_TOWARDZERO FP_INT_UPWARD FP_LLOGB0
        FP_LLOGBNAN FP_NAN FP_NORMAL FP_SUBNORMAL FP_ZERO HALF_BIAS HALF_EXP HALF_MAN HUGE_VAL HUGE_VALF
        HUGE_VALL HUGE_VAL_F128 HUGE_VAL_F32 HUGE_VAL_F32X HUGE_VAL_F64 HUGE_VAL_F64X INFINITY INLINE
        INT16_C INT16_MAX INT16_MIN INT16_WIDTH INT32_C INT32_MAX INT32_MIN INT32_WIDTH INT64_C INT64_MAX
        INT64_MIN INT64_WIDTH INT8_C INT8_MAX INT8_MIN INT8_WIDTH INTMAX_C INTMAX_MAX INTMAX_MIN
        INTMAX_WIDTH INTPTR_MAX INTPTR_MIN INTPTR_WIDTH INT_FAST16_MAX INT_FAST16_MIN INT_FAST16_WIDTH
        INT_FAST32_MAX INT_FAST32_MIN INT_FAST32_WIDTH INT_FAST64_MAX INT_FAST64_MIN INT_FAST64_WIDTH
        INT_FAST8_MAX INT_FAST8_MIN INT_FAST8_WIDTH INT_LEAST16_MAX INT_LEAST16_MIN INT_LEAST16_WIDTH
        INT_LEAST32_MAX INT_LEAST32_MIN INT_LEAST32_WIDTH INT_LEAST64_MAX INT_LEAST64_MIN INT_LEAST64_WIDTH
        INT_LEAST8_MAX INT_LEAST8_MIN INT_LEAST8_WIDTH LC_ADDRESS LC_ADDRESS_MASK LC_ALL LC_ALL_MASK
        LC_COLLATE LC_COLLATE_MASK LC_CTYPE LC_CTYPE_MASK LC_GLOBAL_LOCALE LC_IDENTIFICATION
        LC_IDENTIFICATION_MASK LC_MEASUREMENT LC_MEASUREMENT_MASK LC_MESSAGES LC_MESSAGES_MASK LC_MONETARY
        LC_MONETARY_MASK LC_NAME LC_NAME_MASK LC_NUMERIC LC_NUMERIC_MASK LC_PAPER LC_PAPER_MASK LC_TELEPHONE
        LC_TELEPHONE_MASK LC_TIME LC_TIME_MASK LITTLE_ENDIAN LLVM_SUPPORT_MATHEXTRAS_H L_ctermid L_cuserid
        L_tmpnam MATH_ERREXCEPT MATH_ERRNO MAXFLOAT MAX_MODE MB_CUR_MAX MOD_CLKA MOD_CLKB MOD_ESTERROR
        MOD_FREQUENCY MOD_MAXERROR MOD_MICRO MOD_NANO MOD_OFFSET MOD_STATUS MOD_TAI MOD_TIMECONST M_1_PI
        M_1_PIf M_1_PIf128 M_1_PIf32 M_1_PIf32x M_1_PIf64 M_1_PIf64x M_1_PIl M_2_PI M_2_PIf M_2_PIf128
        M_2_PIf32 M_2_PIf32x M_2_PIf64 M_2_PIf64x M_2_PIl M_2_SQRTPI M_2_SQRTPIf M_2_SQRTPIf128
        M_2_SQRTPIf32 M_2_SQRTPIf32x M_2_SQRTPIf64 M_2_SQRTPIf64x M_2_SQRTPIl M_E M_Ef M_Ef128 M_Ef32
        M_Ef32x M_Ef64 M_Ef64x M_El M_LN10 M_LN10f M_LN10f128 M_LN10f32 M_LN10f32x M_LN10f64 M_LN10f64x
        M_LN10l M_LN2 M_LN2f M_LN2f128 M_LN2f32 M_LN2f32x M_LN2f64 M_LN2f64x M_LN2l M_LOG10E M_LOG10Ef
        M_LOG10Ef128 M_LOG10Ef32 M_LOG10Ef32x M_LOG10Ef64 M_LOG10Ef64x M_LOG10El M_LOG2E M_LOG2Ef
        M_LOG2Ef128 M_LOG2Ef32 M_LOG2Ef32x M_LOG2Ef64 M_LOG2Ef64x M_LOG2El M_PI M_PI_2 M_PI_2f M_PI_2f128
        M_PI_2f32 M_PI_2f32x M_PI_2f64 M_PI_2f64x M_PI_2l M_PI_4 M_PI_4f M_PI_4f128 M_PI_4f32 M_PI_4f32x
        M_PI_4f64 M_PI_4f64x M_PI_4l M_PIf M_PIf128 M_PIf32 M_PIf32x M_PIf64 M_PIf64x M_PIl M_SQRT1_2
        M_SQRT1_2f M_SQRT1_2f128 M_SQRT1_2f32 M_SQRT1_2f32x M_SQRT1_2f64 M_SQRT1_2f64x M_SQRT1_2l M_SQRT2
        M_SQRT2f M_SQRT2f128 M_SQRT2f32 M_SQRT2f32x M_SQRT2f64 M_SQRT2f64x M_SQRT2l NAN NFDBITS NULL
        OP_ASSIGN_AF OP_BIN_AF OP_BIN_AP OP_BIN_AP2 OP_BIN_WITH_FLOAT OP_BIN_WITH_PTR OP_CMP_AF PDP_ENDIAN
        PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP PTHREAD_ATTR_NO_SIGMASK_NP PTHREAD_BARRIER_SERIAL_THREAD
        PTHREAD_CANCELED PTHREAD_CANCEL_ASYNCHRONOUS PTHREAD_CANCEL_DEFERRED PTHREAD_CANCEL_DISABLE
        PTHREAD_CANCEL_ENABLE PTHREAD_COND_INITIALIZER PTHREAD_CREATE_DETACHED PTHREAD_CREATE_JOINABLE
        PTHREAD_ERRORCHECK_MUTEX_INITIALIZER_NP PTHREAD_EXPLICIT_SCHED PTHREAD_INHERIT_SCHED
        PTHREAD_MUTEX_INITIALIZER PTHREAD_ONCE_INIT PTHREAD_PROCESS_PRIVATE PTHREAD_PROCESS_SHARED
        PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP PTHREAD_RWLOCK_INITIALIZER
        PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP PTHREAD_SCOPE_PROCESS PTHREAD_SCOPE_SYSTEM
        PTHREAD_STACK_MIN PTRDIFF_MAX PTRDIFF_MIN PTRDIFF_WIDTH P_tmpdir RAND_MAX REF_BIN_OP
        REF_BIN_OP_WITH_INT RENAME_EXCHANGE RENAME_NOREPLACE RENAME_WHITEOUT SCHED_BATCH SCHED_DEADLINE
        SCHED_FIFO SCHED_IDLE SCHED_ISO SCHED_OTHER SCHED_RESET_ON_FORK SCHED_RR SC_BIN SC_DEC SC_HEX SC_OCT
        SC_RND SC_RND_CONV SC_RND_INF SC_RND_MIN_INF SC_RND_ZERO SC_SAT SC_SAT_SYM SC_SAT_ZERO SC_TRN
        SC_TRN_ZERO SC_WRAP SC_WRAP_SM SEEK_CUR SEEK_DATA SEEK_END SEEK_HOLE SEEK_SET SIG_ATOMIC_MAX
        SIG_ATOMIC_MIN SIG_ATOMIC_WIDTH SIZE_MAX SIZE_WIDTH SNAN SNANF SNANF128 SNANF32 SNANF32X SNANF64
        SNANF64X SNANL STA_CLK STA_CLOCKERR STA_DEL STA_FLL STA_FREQHOLD STA_INS STA_MODE STA_NANO STA_PLL
        STA_PPSERROR STA_PPSFREQ STA_PPSJITTER STA_PPSSIGNAL STA_PPSTIME STA_PPSWANDER STA_RONLY STA_UNSYNC
        TIMER_ABSTIME TIME_UTC TMP_MAX UINT16_C UINT16_MAX UINT16_WIDTH UINT32_C UINT32_MAX UINT32_WIDTH
        UINT64_C UINT64_MAX UINT64_WIDTH UINT8_C UINT8_MAX UINT8_WIDTH UINTMAX_C UINTMAX_MAX UINTMAX_WIDTH
        UINTPTR_MAX UINTPTR_WIDTH UINT_FAST16_MAX UINT_FAST16_WIDTH UINT_FAST32_MAX UINT_FAST32_WIDTH
        UINT_FAST64_MAX UINT_FAST64_WIDTH UINT_FAST8_MAX UINT_FAST8_WIDTH UINT_LEAST16_MAX
        UINT_LEAST16_WIDTH UINT_LEAST32_MAX UINT_LEAST32_WIDTH UINT_LEAST64_MAX UINT_LEAST64_WIDTH
        UINT_LEAST8_MAX UINT_LEAST8_WIDTH WCHAR_MAX WCHAR_MIN WCHAR_WIDTH WCONTINUED WEOF WEXITED
        WEXITSTATUS WIFCONTINUED WIFEXITED WIFSIGNALED WIFSTOPPED WINT_MAX WINT_MIN WINT_WIDTH WNOHANG
        WNOWAIT WSTOPPED WSTOPSIG WTERMSIG WUNTRACED X_HLS_STREAM_SIM_H alloca assert assert_perror be16toh
        be32toh be64toh errno htobe16 htobe32 htobe64 htole16 htole32 htole64 issubnormal le16toh le32toh
        le64toh linux math_errhandling offsetof pthread_cleanup_pop pthread_cleanup_pop_restore_np
        pthread_cleanup_push pthread_cleanup_push_defer_np sched_priority stderr stdin stdout strdupa
        strndupa unix
        """)

    /// Types, variables, enumerators and namespaces of the headers that a function, type or
    /// namespace of the same name (or with `_in_t`, `_out_t`, `_io` appended) cannot coexist with.
    /// Functions such as `printf` are not here: the top function overloads them.
    static let headerDeclarations = words("""
        CHAR_IS_SIGNED FILE MAX_INT_BITS MIN_INT_BITS PTHREAD_MUTEX_ADAPTIVE_NP PTHREAD_MUTEX_DEFAULT
        PTHREAD_MUTEX_ERRORCHECK PTHREAD_MUTEX_ERRORCHECK_NP PTHREAD_MUTEX_FAST_NP PTHREAD_MUTEX_NORMAL
        PTHREAD_MUTEX_RECURSIVE PTHREAD_MUTEX_RECURSIVE_NP PTHREAD_MUTEX_ROBUST PTHREAD_MUTEX_ROBUST_NP
        PTHREAD_MUTEX_STALLED PTHREAD_MUTEX_STALLED_NP PTHREAD_MUTEX_TIMED_NP PTHREAD_PRIO_INHERIT
        PTHREAD_PRIO_NONE PTHREAD_PRIO_PROTECT PTHREAD_RWLOCK_DEFAULT_NP PTHREAD_RWLOCK_PREFER_READER_NP
        PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP PTHREAD_RWLOCK_PREFER_WRITER_NP abi af_bit_ref
        af_range_ref blkcnt64_t blkcnt_t blksize_t caddr_t clock_t clockid_t comparison_fn_t
        cookie_close_function_t cookie_io_functions_t cookie_read_function_t cookie_seek_function_t
        cookie_write_function_t cpu_set_t daddr_t daylight dev_t div_t double_t error_t fd_mask fd_set
        femode_t fenv_t fexcept_t float_t fpos64_t fpos_t fsblkcnt64_t fsblkcnt_t fsfilcnt64_t fsfilcnt_t
        fsid_t getdate_err gid_t id_t ino64_t ino_t int16_t int32_t int64_t int8_t int_fast16_t int_fast32_t
        int_fast64_t int_fast8_t int_least16_t int_least32_t int_least64_t int_least8_t intmax_t intptr_t
        key_t ldiv_t lldiv_t locale_t loff_t max_align_t mbstate_t mode_t nlink_t nullptr_t off64_t off_t
        pid_t program_invocation_name program_invocation_short_name pthread_attr_t pthread_barrier_t
        pthread_barrierattr_t pthread_cond_t pthread_condattr_t pthread_key_t pthread_mutex_t
        pthread_mutexattr_t pthread_once_t pthread_rwlock_t pthread_rwlockattr_t pthread_spinlock_t
        pthread_t ptrdiff_t quad_t register_t retval signgam sigset_t size_t ssize_t std suseconds_t time_t
        timer_t timezone tzname u_char u_int u_int16_t u_int32_t u_int64_t u_int8_t u_long u_quad_t u_short
        uid_t uint uint16_t uint32_t uint64_t uint8_t uint_fast16_t uint_fast32_t uint_fast64_t uint_fast8_t
        uint_least16_t uint_least32_t uint_least64_t uint_least8_t uintmax_t uintptr_t ulong useconds_t
        ushort va_list valtype wctrans_t wctype_t wint_t
        """)

    private static func words(_ text: String) -> Set<String> {
        Set(text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
    }
}
