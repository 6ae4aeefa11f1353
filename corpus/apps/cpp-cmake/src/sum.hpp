#pragma once

#include <optional>
#include <string_view>

namespace calc {

// Sums a comma-separated list of integers ("1,2,-3").
// Returns std::nullopt if any item is not an integer or the list is empty.
std::optional<long long> sum_list(std::string_view list);

}  // namespace calc
