// calc: a tiny HTTP/1.1 server on POSIX sockets.
//
//   GET /health            -> 200 "ok\n"
//   GET /sum?values=1,2,3  -> 200 "6\n"
//
// Listens on 0.0.0.0, port from PORT (default 9000). One request per
// connection, handled in turn. SIGTERM/SIGINT end the process at once, so it
// also stops promptly when it runs as PID 1 in a container.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "http.hpp"

namespace {

// Only async-signal-safe calls belong in a handler.
void on_stop(int) { _exit(0); }

int port_from_env() {
    const char *value = std::getenv("PORT");
    if (value == nullptr || *value == '\0') {
        return 9000;
    }
    char *end = nullptr;
    const long port = std::strtol(value, &end, 10);
    if (*end != '\0' || port < 1 || port > 65535) {
        std::fprintf(stderr, "calc: invalid PORT %s\n", value);
        std::exit(2);
    }
    return static_cast<int>(port);
}

void serve(int client) {
    timeval timeout{5, 0};
    setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);

    std::string raw;
    char buf[1024];
    while (raw.find("\r\n\r\n") == std::string::npos && raw.size() < 8192) {
        const ssize_t n = recv(client, buf, sizeof buf, 0);
        if (n <= 0) {
            break;
        }
        raw.append(buf, static_cast<std::size_t>(n));
    }

    calc::Request req;
    const calc::Response res = calc::parse_request_line(raw, req)
                                   ? calc::route(req)
                                   : calc::Response{400, "bad request\n"};
    const std::string out = calc::render(res);
    std::size_t sent = 0;
    while (sent < out.size()) {
        const ssize_t n = send(client, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) {
            break;
        }
        sent += static_cast<std::size_t>(n);
    }
    shutdown(client, SHUT_WR);
}

}  // namespace

int main() {
    std::signal(SIGTERM, on_stop);
    std::signal(SIGINT, on_stop);

    const int port = port_from_env();
    const int server = socket(AF_INET, SOCK_STREAM, 0);
    if (server < 0) {
        std::perror("calc: socket");
        return 1;
    }
    const int yes = 1;
    setsockopt(server, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);

    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    if (bind(server, reinterpret_cast<sockaddr *>(&addr), sizeof addr) < 0) {
        std::perror("calc: bind");
        return 1;
    }
    if (listen(server, 64) < 0) {
        std::perror("calc: listen");
        return 1;
    }
    std::fprintf(stderr, "calc %s listening on 0.0.0.0:%d\n", CALC_VERSION, port);

    while (true) {
        const int client = accept(server, nullptr, nullptr);
        if (client < 0) {
            if (errno == EINTR) {
                continue;
            }
            std::perror("calc: accept");
            continue;
        }
        serve(client);
        close(client);
    }
}
