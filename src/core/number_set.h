// A set of small numbers given on the command line with strace's set syntax ([!]item,item...,
// all, none): the signals shown (-e signal=), the fds whose data is dumped (-e read=, -e write=).
#pragma once

#include <cstddef>
#include <vector>

namespace dtruss {

struct NumberSet {
  std::vector<bool> listed;  // indexed by number
  bool inverted = false;     // the numbers not listed (!item, all)

  bool empty() const { return !inverted && listed.empty(); }
  bool contains(long n) const {
    bool in = n >= 0 && static_cast<size_t>(n) < listed.size() && listed[static_cast<size_t>(n)];
    return in != inverted;
  }
};

}  // namespace dtruss
