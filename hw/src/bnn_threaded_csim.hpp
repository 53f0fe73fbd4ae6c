// Threaded, bounded-FIFO C simulation (`make csim-threaded`, -DBNN_THREADED_CSIM).
// g++ C-sim runs DATAFLOW processes one after another over unbounded queues, so FIFOs that are
// too shallow pass silently. In this mode the Makefile puts a one-line hls_stream.h that includes
// this file ahead of Xilinx's, so every `hls::stream` is a blocking FIFO of the depth the top
// function gives it (BNN_FIFO_DEPTH), and every BNN_PROCESS runs in its own std::thread. When all
// live processes are blocked, the run prints each stream's fill and exits with status 3.
// Outside the mode the macros expand to plain calls and no-op declarations (synthesizable).
// Hidden test hook: BNN_CSIM_DEPTHS="s3=1,s5=1" overrides the depth of the named streams.
//
// Logical clock (cycles comparable to the Swift cycle model, Sources/BNNDataflow/Timing): every
// II=1 loop calls BNN_CSIM_TICK() at the start of each iteration, so an iteration takes one
// cycle after the previous one. It also starts no earlier than the cycle after the one that
// wrote each word it reads, and its write of word j into a FIFO of depth D no earlier than the
// cycle after the one that read word j - D (the slot it takes). An iteration's reads and writes
// get its final cycle when the next iteration (or the process) starts; a reader waits for the
// write time of its word, a writer for the read time of its slot. Processes and stream histories
// (keyed by stream name) keep their clocks across calls of the top function, so consecutive
// frames overlap as in hardware. After each call the run prints
// `csim-cycles: frame F done at cycle C` (C = one past the cycle of the frame's last write to
// the top function's output). A process that never ticks is untimed (its I/O is not delayed).
#ifndef BNN_THREADED_CSIM_HPP
#define BNN_THREADED_CSIM_HPP

#ifndef BNN_THREADED_CSIM

#define BNN_FIFO_DEPTH(s, depth) static_assert((depth) > 0, "FIFO depth")
#define BNN_PROCESS(...) __VA_ARGS__
#define BNN_JOIN_PROCESSES() static_assert(true, "DATAFLOW end")
#define BNN_CSIM_TICK() ((void)0)

#else

#include <climits>
#include <map>

#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace bnn_csim {

const long long PENDING = LLONG_MIN;  // an iteration that has not got its cycle yet

// Timing of one FIFO over the whole run: the cycle each word was written and read.
struct StreamClock {
    std::vector<long long> writeTimes;
    std::vector<long long> readTimes;
};

// One process's clock: the cycle of its current iteration and the I/O still waiting for it.
struct ProcessClock {
    long long now = -1;
    bool timed = false;  // ticked at least once
    struct Stamp {
        std::vector<long long> *times;
        size_t index;
        bool output;  // a write into an unbounded stream: the top function's output
    };
    std::vector<Stamp> pending;
};

// One lock and one condition for every stream: simple, and "all blocked" is then one comparison.
struct Scheduler {
    std::mutex lock;
    std::condition_variable changed;
    int live = 0;
    // True while the top function is still starting its processes: the first ones may block on
    // streams whose other end has not started yet.
    bool starting = false;
    // The conditions the blocked processes wait for.
    std::vector<std::function<bool()> *> waiting;
    std::vector<const void *> streams;
    std::vector<std::function<std::string()>> describe;
    std::vector<std::thread> threads;
    // Clocks by call order of the processes (the same in every call of the top function), and
    // stream histories by name.
    std::deque<ProcessClock> clocks;  // a deque: running threads hold pointers into it
    size_t spawned = 0;
    std::map<std::string, StreamClock> histories;
    long long lastOutput = -1;  // latest write into an unbounded stream (the top's output)
    long long frame = 0;

    static Scheduler &shared() {
        static Scheduler s;
        return s;
    }
};

inline bool &inProcess() {
    static thread_local bool flag = false;
    return flag;
}

inline ProcessClock *&currentClock() {
    static thread_local ProcessClock *clock = nullptr;
    return clock;
}

// Lock held: gives the current iteration's I/O its cycle.
inline void settle(ProcessClock &c) {
    Scheduler &s = Scheduler::shared();
    for (auto &p : c.pending) {
        (*p.times)[p.index] = c.now;
        if (p.output && c.now > s.lastOutput) s.lastOutput = c.now;
    }
    if (!c.pending.empty()) s.changed.notify_all();
    c.pending.clear();
}

// Lock held: records the cycle of an I/O of the current iteration (now, if untimed).
inline void stamp(std::vector<long long> &times, size_t index, bool output) {
    ProcessClock *c = currentClock();
    ProcessClock::Stamp entry = {&times, index, output};
    if (c != nullptr && c->timed) {
        times[index] = PENDING;
        c->pending.push_back(entry);
    } else {
        ProcessClock untimed;
        untimed.now = c != nullptr ? c->now : -1;  // the testbench's input is there from cycle 0
        untimed.pending.push_back(entry);
        settle(untimed);
    }
}

// Lock held: the current iteration starts no earlier than `cycle`.
inline void notBefore(long long cycle) {
    ProcessClock *c = currentClock();
    if (c != nullptr && c->timed && cycle > c->now) c->now = cycle;
}

inline StreamClock *historyOf(const std::string &name) {
    Scheduler &s = Scheduler::shared();
    static long long unnamed = 0;
    return &s.histories[name == "unnamed" ? name + "#" + std::to_string(unnamed++) : name];
}

inline void tick() {
    ProcessClock *c = currentClock();
    if (c == nullptr) return;
    std::lock_guard<std::mutex> guard(Scheduler::shared().lock);
    settle(*c);
    c->timed = true;
    c->now += 1;
}

// Called with the lock held. A woken waiter counts as blocked until it runs again, so the
// waiters' conditions are re-checked: a deadlock is every live process waiting on a condition
// that is still false.
inline void reportDeadlockIfStuck(Scheduler &s, const char *why) {
    if (s.starting || int(s.waiting.size()) < s.live) return;
    for (auto *ready : s.waiting)
        if ((*ready)()) return;
    std::fprintf(stderr, "DEADLOCK (threaded csim): %s; %d process(es) blocked\n", why, int(s.waiting.size()));
    for (auto &d : s.describe) std::fprintf(stderr, "  %s\n", d().c_str());
    std::fflush(stderr);
    std::_Exit(3);
}

// Waits (lock held) until `ready()`, registered as a blocked process meanwhile.
inline void waitUntil(std::unique_lock<std::mutex> &guard, std::function<bool()> ready, const char *why) {
    Scheduler &s = Scheduler::shared();
    if (ready()) return;
    if (!inProcess()) {
        // The testbench itself: it can only wait while processes still run.
        while (!ready()) {
            if (s.live == 0) reportDeadlockIfStuck(s, why);
            s.changed.wait(guard);
        }
        return;
    }
    s.waiting.push_back(&ready);
    while (!ready()) {
        reportDeadlockIfStuck(s, why);
        s.changed.wait(guard);
    }
    for (size_t i = 0; i < s.waiting.size(); ++i)
        if (s.waiting[i] == &ready) { s.waiting.erase(s.waiting.begin() + i); break; }
}

inline int depthOverride(const char *name, int depth) {
    const char *list = std::getenv("BNN_CSIM_DEPTHS");
    if (list == nullptr) return depth;
    std::string all = std::string(",") + list + ",";
    std::string key = std::string(",") + name + "=";
    size_t at = all.find(key);
    if (at == std::string::npos) return depth;
    int forced = std::atoi(all.c_str() + at + key.size());
    return forced > 0 ? forced : depth;
}

inline void spawn(std::function<void()> body) {
    Scheduler &s = Scheduler::shared();
    std::lock_guard<std::mutex> guard(s.lock);
    s.starting = true;
    s.live += 1;
    while (s.clocks.size() <= s.spawned) s.clocks.emplace_back();
    ProcessClock *clock = &s.clocks[s.spawned++];
    s.threads.emplace_back([body, clock] {
        inProcess() = true;
        currentClock() = clock;
        body();
        Scheduler &t = Scheduler::shared();
        std::lock_guard<std::mutex> done(t.lock);
        settle(*clock);
        t.live -= 1;
        t.changed.notify_all();
        // The process that just ended may have been the last one able to move the others.
        if (t.live > 0) reportDeadlockIfStuck(t, "the other processes wait after one ended");
    });
}

inline void joinAll() {
    Scheduler &s = Scheduler::shared();
    std::vector<std::thread> threads;
    {
        std::lock_guard<std::mutex> guard(s.lock);
        threads.swap(s.threads);
        s.starting = false;
        if (s.live > 0) reportDeadlockIfStuck(s, "every process waits once all have started");
    }
    for (auto &t : threads) t.join();
    std::lock_guard<std::mutex> guard(s.lock);
    s.spawned = 0;  // the next call's processes continue these clocks
    std::printf("csim-cycles: frame %lld done at cycle %lld\n", s.frame++, s.lastOutput + 1);
    std::fflush(stdout);
}

}  // namespace bnn_csim

namespace hls {

// Blocking FIFO; depth 0 (the default, the top function's ports) means unbounded.
template <typename T>
class stream {
  public:
    stream() : stream("unnamed") {}
    explicit stream(const char *name) : name_(name) {
        bnn_csim::Scheduler &s = bnn_csim::Scheduler::shared();
        std::lock_guard<std::mutex> guard(s.lock);
        clock_ = bnn_csim::historyOf(name_);
        s.streams.push_back(this);
        s.describe.push_back([this] { return describe(); });
    }
    ~stream() {
        bnn_csim::Scheduler &s = bnn_csim::Scheduler::shared();
        std::lock_guard<std::mutex> guard(s.lock);
        for (size_t i = 0; i < s.streams.size(); ++i) {
            if (s.streams[i] == this) {
                s.streams.erase(s.streams.begin() + i);
                s.describe.erase(s.describe.begin() + i);
                break;
            }
        }
    }
    stream(const stream &) = delete;
    stream &operator=(const stream &) = delete;

    void set_depth(int depth) {
        std::lock_guard<std::mutex> guard(bnn_csim::Scheduler::shared().lock);
        depth_ = bnn_csim::depthOverride(name_.c_str(), depth);
    }

    T read() {
        bnn_csim::Scheduler &s = bnn_csim::Scheduler::shared();
        std::unique_lock<std::mutex> guard(s.lock);
        std::string why = "read of empty stream " + name_;
        bnn_csim::waitUntil(guard, [this] { return frontReady(); }, why.c_str());
        return take();
    }
    void read(T &value) { value = read(); }
    void write(const T &value) {
        bnn_csim::Scheduler &s = bnn_csim::Scheduler::shared();
        std::unique_lock<std::mutex> guard(s.lock);
        std::string why = "write to full stream " + name_;
        const size_t index = clock_->writeTimes.size();
        bnn_csim::waitUntil(guard, [this, index] { return slotReady(index); }, why.c_str());
        if (depth_ != 0 && index >= size_t(depth_)) bnn_csim::notBefore(clock_->readTimes[index - depth_] + 1);
        clock_->writeTimes.push_back(bnn_csim::PENDING);
        bnn_csim::stamp(clock_->writeTimes, index, depth_ == 0);
        items_.push_back(std::make_pair(value, index));
        s.changed.notify_all();
    }
    bool read_nb(T &value) {
        std::lock_guard<std::mutex> guard(bnn_csim::Scheduler::shared().lock);
        if (!frontReady()) return false;
        value = take();
        return true;
    }
    bool empty() {
        std::lock_guard<std::mutex> guard(bnn_csim::Scheduler::shared().lock);
        return items_.empty();
    }
    bool full() {
        std::lock_guard<std::mutex> guard(bnn_csim::Scheduler::shared().lock);
        return depth_ != 0 && int(items_.size()) >= depth_;
    }
    size_t size() {
        std::lock_guard<std::mutex> guard(bnn_csim::Scheduler::shared().lock);
        return items_.size();
    }
    void operator>>(T &value) { read(value); }
    void operator<<(const T &value) { write(value); }

  private:
    // Lock held by the caller in all of these.
    bool frontReady() const { return !items_.empty() && clock_->writeTimes[items_.front().second] != bnn_csim::PENDING; }
    // The FIFO has room, and the read that freed the slot of word `index` has its cycle.
    bool slotReady(size_t index) const {
        if (depth_ == 0) return true;
        if (int(items_.size()) >= depth_) return false;
        return index < size_t(depth_) || (clock_->readTimes.size() > index - depth_ && clock_->readTimes[index - depth_] != bnn_csim::PENDING);
    }
    T take() {
        const std::pair<T, size_t> item = items_.front();
        items_.pop_front();
        bnn_csim::notBefore(clock_->writeTimes[item.second] + 1);
        clock_->readTimes.push_back(bnn_csim::PENDING);
        bnn_csim::stamp(clock_->readTimes, item.second, false);
        bnn_csim::Scheduler::shared().changed.notify_all();
        return item.first;
    }

    std::string describe() const {
        const char *state = items_.empty() ? "EMPTY" : (depth_ != 0 && int(items_.size()) >= depth_ ? "FULL" : "partly filled");
        return "stream " + name_ + ": " + std::to_string(items_.size()) + "/" +
               (depth_ == 0 ? std::string("unbounded") : std::to_string(depth_)) + " " + state;
    }

    std::string name_;
    int depth_ = 0;
    std::deque<std::pair<T, size_t> > items_;  // value, word index in the stream's history
    bnn_csim::StreamClock *clock_ = nullptr;
};

}  // namespace hls

#define BNN_FIFO_DEPTH(s, depth) (s).set_depth(depth)
#define BNN_PROCESS(...) bnn_csim::spawn([&] { __VA_ARGS__; })
#define BNN_JOIN_PROCESSES() bnn_csim::joinAll()
#define BNN_CSIM_TICK() bnn_csim::tick()

#endif  // BNN_THREADED_CSIM
#endif  // BNN_THREADED_CSIM_HPP
