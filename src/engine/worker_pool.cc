#include "engine/worker_pool.h"

namespace refinery::engine::internal {

WorkerPool::WorkerPool(int threads) {
  if (threads < 1) threads = 1;
  for (int i = 0; i < threads; ++i) workers_.emplace_back([this] { WorkerLoop(); });
  timer_ = std::thread([this] { TimerLoop(); });
}

WorkerPool::~WorkerPool() { Stop(); }

void WorkerPool::Post(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    queue_.push_back(std::move(task));
  }
  work_cv_.notify_one();
}

void WorkerPool::PostAfter(std::chrono::milliseconds delay, std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    delayed_.emplace(std::chrono::steady_clock::now() + delay, std::move(task));
  }
  timer_cv_.notify_one();
}

void WorkerPool::PostBlocking(std::function<void()> task) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_) return;
  ++blocking_running_;
  std::thread([this, task = std::move(task)] {
    task();
    std::lock_guard<std::mutex> done_lock(mu_);
    --blocking_running_;
    idle_cv_.notify_all();
  }).detach();
}

void WorkerPool::Stop() {
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (stopping_ && workers_.empty()) return;
    stopping_ = true;
    delayed_.clear();
  }
  work_cv_.notify_all();
  timer_cv_.notify_all();
  for (auto& worker : workers_) {
    if (worker.joinable()) worker.join();
  }
  workers_.clear();
  if (timer_.joinable()) timer_.join();
  std::unique_lock<std::mutex> lock(mu_);
  idle_cv_.wait(lock, [this] { return blocking_running_ == 0; });
}

void WorkerPool::WorkerLoop() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task();
  }
}

void WorkerPool::TimerLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    if (delayed_.empty()) {
      timer_cv_.wait(lock);
      continue;
    }
    const auto due = delayed_.begin()->first;
    if (std::chrono::steady_clock::now() < due) {
      timer_cv_.wait_until(lock, due);
      continue;
    }
    queue_.push_back(std::move(delayed_.begin()->second));
    delayed_.erase(delayed_.begin());
    work_cv_.notify_one();
  }
}

}  // namespace refinery::engine::internal
