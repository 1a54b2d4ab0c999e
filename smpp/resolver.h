// Resolver: the host-name lookups of one session's binds, off the session thread.
//
// getaddrinfo blocks for the resolver's whole retry schedule (seconds per name server, see
// resolv.conf(5)) when DNS is slow or down. On the session thread, which runs every bind of
// the SMSC in one poll loop, that would stop them all: no enquire_link, no submit_sm, no
// deliver_sm_resp. Each lookup runs on a thread of its own instead and the session polls for
// the answer (the lookup thread wakes its poll). Every bind of a session connects to the
// same host and port, so a lookup still running is shared by every bind that asks
// meanwhile: however long DNS hangs, a session has at most one lookup thread. The caller
// bounds its own wait (the session gives a connect, lookup included, connect_timeout) and
// a bind that gave up joins the same lookup on its next attempt. Answers are not cached: a
// lookup that finished is never reused, so a reconnect sees a changed DNS record.
//
// Threads: lookup() and Pending::result() belong to the session thread; `wake` runs on a
// lookup thread and must only wake the session's poll. Once the destructor has returned,
// `wake` is never called again; a lookup still running then finishes on its own thread and
// its answer is dropped (the thread holds what it uses, not the Resolver).
// Errors: Unavailable, naming the host, with getaddrinfo's reason.
#ifndef PINTAR_SMPP_RESOLVER_H_
#define PINTAR_SMPP_RESOLVER_H_

#include <sys/socket.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/status.h"
#include "common/tcp.h"

namespace pintar::smpp {

using pintar::SocketAddress;  // common/tcp.h

// Resolves host:port to the address to connect to; may block. Tests pass a slow one.
using LookupFn = std::function<Result<SocketAddress>(const std::string& host, uint16_t port)>;

// resolve_tcp (common/tcp.h); its first answer.
Result<SocketAddress> system_lookup(const std::string& host, uint16_t port);

class Resolver {
 public:
  // One lookup's answer.
  class Pending {
   public:
    // The answer once the lookup has returned; nullopt while it runs.
    std::optional<Result<SocketAddress>> result() const;
    void set(Result<SocketAddress> result);  // the lookup thread

   private:
    mutable std::mutex mutex_;
    std::optional<Result<SocketAddress>> result_;
  };

  Resolver(std::string host, uint16_t port, LookupFn lookup, std::function<void()> wake);
  ~Resolver();
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  // The lookup still running, or a new one when none is. Never blocks.
  std::shared_ptr<const Pending> lookup();

 private:
  struct Waker;  // `wake` behind a mutex, shared with the lookup threads

  std::string host_;
  uint16_t port_;
  LookupFn lookup_;
  std::shared_ptr<Waker> waker_;
  std::shared_ptr<Pending> running_;
};

}  // namespace pintar::smpp

#endif  // PINTAR_SMPP_RESOLVER_H_
