// Threaded, bounded-FIFO C simulation (`make csim-threaded`, -DBNN_THREADED_CSIM).
// g++ C-sim runs DATAFLOW processes one after another over unbounded queues, so FIFOs that are
// too shallow pass silently. In this mode the Makefile puts a one-line hls_stream.h that includes
// this file ahead of Xilinx's, so every `hls::stream` is a blocking FIFO of the depth the top
// function gives it (BNN_FIFO_DEPTH), and every BNN_PROCESS runs in its own std::thread. When all
// live processes are blocked, the run prints each stream's fill and exits with status 3.
// Outside the mode the macros expand to plain calls and no-op declarations (synthesizable).
// Hidden test hook: BNN_CSIM_DEPTHS="s3=1,s5=1" overrides the depth of the named streams.
#ifndef BNN_THREADED_CSIM_HPP
#define BNN_THREADED_CSIM_HPP

#ifndef BNN_THREADED_CSIM

#define BNN_FIFO_DEPTH(s, depth) static_assert((depth) > 0, "FIFO depth")
#define BNN_PROCESS(...) __VA_ARGS__
#define BNN_JOIN_PROCESSES() static_assert(true, "DATAFLOW end")
#define BNN_CSIM_TICK() ((void)0)

#else

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

    static Scheduler &shared() {
        static Scheduler s;
        return s;
    }
};

inline bool &inProcess() {
    static thread_local bool flag = false;
    return flag;
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
    s.threads.emplace_back([body] {
        inProcess() = true;
        body();
        Scheduler &t = Scheduler::shared();
        std::lock_guard<std::mutex> done(t.lock);
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
        bnn_csim::waitUntil(guard, [this] { return !items_.empty(); }, why.c_str());
        T value = items_.front();
        items_.pop_front();
        s.changed.notify_all();
        return value;
    }
    void read(T &value) { value = read(); }
    void write(const T &value) {
        bnn_csim::Scheduler &s = bnn_csim::Scheduler::shared();
        std::unique_lock<std::mutex> guard(s.lock);
        std::string why = "write to full stream " + name_;
        bnn_csim::waitUntil(guard, [this] { return depth_ == 0 || int(items_.size()) < depth_; }, why.c_str());
        items_.push_back(value);
        s.changed.notify_all();
    }
    bool read_nb(T &value) {
        std::lock_guard<std::mutex> guard(bnn_csim::Scheduler::shared().lock);
        if (items_.empty()) return false;
        value = items_.front();
        items_.pop_front();
        bnn_csim::Scheduler::shared().changed.notify_all();
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
    // Lock held by the caller.
    std::string describe() const {
        const char *state = items_.empty() ? "EMPTY" : (depth_ != 0 && int(items_.size()) >= depth_ ? "FULL" : "partly filled");
        return "stream " + name_ + ": " + std::to_string(items_.size()) + "/" +
               (depth_ == 0 ? std::string("unbounded") : std::to_string(depth_)) + " " + state;
    }

    std::string name_;
    int depth_ = 0;
    std::deque<T> items_;
};

}  // namespace hls

#define BNN_FIFO_DEPTH(s, depth) (s).set_depth(depth)
#define BNN_PROCESS(...) bnn_csim::spawn([&] { __VA_ARGS__; })
#define BNN_JOIN_PROCESSES() bnn_csim::joinAll()

#endif  // BNN_THREADED_CSIM
#endif  // BNN_THREADED_CSIM_HPP
