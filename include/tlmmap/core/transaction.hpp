// Transactions batch changes to the map: inside one (they nest), changes are
// recorded and the flat views are rendered once, at the outermost commit.
// Outside any transaction every change is visible at once.
#pragma once

#include <exception>
#include <string>

namespace tlmmap {

void transaction_begin();
void transaction_commit();
// Ends a transaction like transaction_commit(), but returns a description
// of a render that stopped at a limit (render_limits.hpp) instead of
// reporting it ("" if none): for loaders that refuse such a map.
std::string transaction_commit_quietly();
// Nesting depth; 0 outside any transaction.
int transaction_depth();

// RAII: begins in the constructor, commits in the destructor (or earlier
// with commit()).
class Transaction {
 public:
  Transaction() : uncaught_(std::uncaught_exceptions()) { transaction_begin(); }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  // A commit may report an error (which throws with the default handlers);
  // while another exception unwinds the stack that report is swallowed.
  ~Transaction() noexcept(false) {
    if (!open_) return;
    open_ = false;
    if (std::uncaught_exceptions() > uncaught_) {
      try {
        transaction_commit();
      } catch (...) {
      }
    } else {
      transaction_commit();
    }
  }
  void commit() {
    if (open_) {
      open_ = false;
      transaction_commit();
    }
  }

 private:
  int uncaught_;
  bool open_ = true;
};

}  // namespace tlmmap
