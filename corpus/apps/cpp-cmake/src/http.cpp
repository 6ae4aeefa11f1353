#include "http.hpp"

#include "sum.hpp"

namespace calc {

namespace {

const char *reason(int status) {
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    default: return "Internal Server Error";
    }
}

}  // namespace

bool parse_request_line(std::string_view raw, Request &out) {
    const auto eol = raw.find("\r\n");
    if (eol == std::string_view::npos) {
        return false;
    }
    const auto line = raw.substr(0, eol);
    const auto sp1 = line.find(' ');
    if (sp1 == std::string_view::npos) {
        return false;
    }
    const auto sp2 = line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos || line.compare(sp2 + 1, 5, "HTTP/") != 0) {
        return false;
    }
    const auto target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    const auto qmark = target.find('?');
    out.method = std::string(line.substr(0, sp1));
    out.path = std::string(target.substr(0, qmark));
    out.query = qmark == std::string_view::npos ? std::string() : std::string(target.substr(qmark + 1));
    return !out.method.empty() && !out.path.empty();
}

std::string query_param(std::string_view query, std::string_view key) {
    while (!query.empty()) {
        const auto amp = query.find('&');
        const auto pair = query.substr(0, amp);
        const auto eq = pair.find('=');
        if (pair.substr(0, eq) == key) {
            return eq == std::string_view::npos ? std::string() : std::string(pair.substr(eq + 1));
        }
        if (amp == std::string_view::npos) {
            break;
        }
        query.remove_prefix(amp + 1);
    }
    return {};
}

Response route(const Request &req) {
    if (req.method != "GET") {
        return {405, "method not allowed\n"};
    }
    if (req.path == "/health") {
        return {200, "ok\n"};
    }
    if (req.path == "/sum") {
        // Commas may arrive percent-encoded.
        std::string values = query_param(req.query, "values");
        for (std::string::size_type at; (at = values.find("%2C")) != std::string::npos ||
                                         (at = values.find("%2c")) != std::string::npos;) {
            values.replace(at, 3, ",");
        }
        if (const auto total = sum_list(values)) {
            return {200, std::to_string(*total) + "\n"};
        }
        return {400, "values must be a comma-separated list of integers\n"};
    }
    return {404, "not found\n"};
}

std::string render(const Response &res) {
    std::string out = "HTTP/1.1 " + std::to_string(res.status) + " " + reason(res.status) + "\r\n";
    out += "Content-Type: text/plain; charset=utf-8\r\n";
    out += "Content-Length: " + std::to_string(res.body.size()) + "\r\n";
    out += "Connection: close\r\n\r\n";
    out += res.body;
    return out;
}

}  // namespace calc
