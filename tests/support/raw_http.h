// HTTP over raw sockets on the loopback, for the tests that must control the bytes and the
// connections themselves (idle floods, pipelining, smuggling, a client address other than
// 127.0.0.1): tests/publish/connections_test.cc and tests/adversarial/.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <string>

namespace meabridge::testing {

// A socket connected to 127.0.0.1:port from `from` (any 127.x.y.z address), or -1.
inline int ConnectFrom(int port, const char* from = "127.0.0.1") {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  // The port is chosen at connect(), by the whole address pair, as for an unbound socket:
  // bound with port 0 it would be one no other socket holds, TIME_WAIT ones included, and a
  // few thousand connections would use the ephemeral ports up.
  int one = 1;
  setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
  sockaddr_in local{};
  local.sin_family = AF_INET;
  inet_pton(AF_INET, from, &local.sin_addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
    close(fd);
    return -1;
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Sends every byte; false when the peer is gone.
inline bool SendAllBytes(int fd, const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

// Everything the server sends on `fd` until it closes the connection, with "<still open>"
// appended when it is still open after 30 s (a bound for a broken server, not a timing a
// test depends on).
inline std::string ReadUntilClosed(int fd) {
  std::string out;
  char buf[4096];
  while (true) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 30000) <= 0) return out + "<still open>";
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return out;
    out.append(buf, static_cast<size_t>(n));
  }
}

// Sends `bytes` on a new connection from `from` (the server may answer and close before all
// is sent) and returns all it answers until it closes.
inline std::string Exchange(int port, const std::string& bytes, const char* from = "127.0.0.1") {
  int fd = ConnectFrom(port, from);
  if (fd < 0) return "<cannot connect>";
  SendAllBytes(fd, bytes);
  std::string answer = ReadUntilClosed(fd);
  close(fd);
  return answer;
}

}  // namespace meabridge::testing
