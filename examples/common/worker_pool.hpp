#pragma once
// A fixed pool of worker threads that run one job on every worker and wait.
// Each worker keeps its thread, so its thread-local tape and arena are
// reused from step to step.

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace examples {

class WorkerPool {
public:
  explicit WorkerPool(int workers) : workers_(workers < 1 ? 1 : workers) {
    for (int w = 1; w < workers_; ++w) threads_.emplace_back([this, w] { loop(w); });
  }
  ~WorkerPool() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
      ++generation_;
    }
    wake_.notify_all();
    for (auto& t : threads_) t.join();
  }
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  int size() const { return workers_; }

  /// Runs job(w) for w in [0, size()); the caller runs worker 0. Rethrows the
  /// first exception a worker threw.
  void run(const std::function<void(int)>& job) {
    {
      std::lock_guard lock(mutex_);
      job_ = &job;
      pending_ = workers_ - 1;
      error_ = nullptr;
      ++generation_;
    }
    wake_.notify_all();
    std::exception_ptr own;
    try {
      job(0);
    } catch (...) {
      own = std::current_exception();
    }
    std::unique_lock lock(mutex_);
    done_.wait(lock, [this] { return pending_ == 0; });
    job_ = nullptr;
    if (own) std::rethrow_exception(own);
    if (error_) std::rethrow_exception(error_);
  }

private:
  void loop(int w) {
    unsigned long long seen = 0;
    for (;;) {
      const std::function<void(int)>* job = nullptr;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [&] { return generation_ != seen; });
        seen = generation_;
        if (stopping_) return;
        job = job_;
      }
      std::exception_ptr error;
      try {
        (*job)(w);
      } catch (...) {
        error = std::current_exception();
      }
      std::lock_guard lock(mutex_);
      if (error && !error_) error_ = error;
      if (--pending_ == 0) done_.notify_one();
    }
  }

  int workers_;
  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  const std::function<void(int)>* job_ = nullptr;
  int pending_ = 0;
  unsigned long long generation_ = 0;
  bool stopping_ = false;
  std::exception_ptr error_;
};

}  // namespace examples
