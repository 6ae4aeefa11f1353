#pragma once

#include <string>
#include <string_view>

namespace calc {

struct Request {
    std::string method;
    std::string path;
    std::string query;
};

struct Response {
    int status;
    std::string body;
};

// Parses the request line ("GET /path?query HTTP/1.1") of a raw request.
// Returns false if it is not a well-formed request line.
bool parse_request_line(std::string_view raw, Request &out);

// Value of `key` in a query string "a=1&b=2", or "" if absent.
std::string query_param(std::string_view query, std::string_view key);

// Routes a request: /health, /sum?values=..., anything else is 404.
Response route(const Request &req);

// Serialises a response as HTTP/1.1 with Connection: close.
std::string render(const Response &res);

}  // namespace calc
