#include "sum.hpp"

#include <charconv>

namespace calc {

std::optional<long long> sum_list(std::string_view list) {
    if (list.empty()) {
        return std::nullopt;
    }
    long long total = 0;
    while (true) {
        const auto comma = list.find(',');
        const auto item = list.substr(0, comma);
        long long value = 0;
        const auto [end, err] = std::from_chars(item.data(), item.data() + item.size(), value);
        if (err != std::errc() || end != item.data() + item.size() || item.empty()) {
            return std::nullopt;
        }
        if (__builtin_add_overflow(total, value, &total)) {
            return std::nullopt;
        }
        if (comma == std::string_view::npos) {
            return total;
        }
        list.remove_prefix(comma + 1);
    }
}

}  // namespace calc
