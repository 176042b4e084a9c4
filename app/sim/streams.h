#pragma once

// Server-streaming plumbing shared by every watch/stream RPC of the sim.
//
// StreamWriter follows grpc's callback route_guide server: at most one write
// in flight, Finish exactly once, stop writing when a write fails, finish on
// OnCancel, never block in a reaction. Subclasses only say what to send next
// (produceLocked); whoever has news pokes the writer. Nothing queues without a
// bound: event streams hold at most a fixed number of pending events and end
// with RESOURCE_EXHAUSTED when a subscriber falls further behind than that
// (it re-reads and watches again, so it never silently misses an event).
//
// Lock order, everywhere: PokeList/EventHub mutex -> writer mutex -> state
// mutex -> telemetry ring mutex. OnDone detaches from its list without holding
// the writer mutex.

#include <deque>
#include <functional>
#include <grpcpp/grpcpp.h>
#include <mutex>
#include <optional>
#include <set>

namespace sb::sim {

int64_t nowMicros();

class Pokeable
{
public:
    virtual ~Pokeable() = default;
    virtual void poke(int64_t nowUs) = 0;
    virtual void close(const grpc::Status &status) = 0;
};

// Streams that want to hear about time passing or new data.
class PokeList
{
public:
    void add(Pokeable *p)
    {
        std::lock_guard lock(m_mutex);
        if (m_closed)
            p->close(grpc::Status(grpc::StatusCode::UNAVAILABLE, "server is shutting down"));
        m_items.insert(p);
    }
    void remove(Pokeable *p)
    {
        std::lock_guard lock(m_mutex);
        m_items.erase(p);
    }
    void pokeAll(int64_t nowUs)
    {
        std::lock_guard lock(m_mutex);
        for (auto *p : m_items)
            p->poke(nowUs);
    }
    void closeAll(const grpc::Status &status)
    {
        std::lock_guard lock(m_mutex);
        m_closed = true;
        for (auto *p : m_items)
            p->close(status);
    }

private:
    std::mutex m_mutex;
    std::set<Pokeable *> m_items;
    bool m_closed = false;
};

template <class Resp> class StreamWriter : public grpc::ServerWriteReactor<Resp>, public Pokeable
{
public:
    // Called from OnDone, before the writer deletes itself; detaches it from
    // whatever list pokes it.
    void setDetach(std::function<void()> detach) { m_detach = std::move(detach); }

    void poke(int64_t nowUs) override
    {
        std::lock_guard lock(m_mutex);
        if (m_finishRequested)
            return;
        onPokeLocked(nowUs);
        if (!m_writing)
            pumpLocked(nowUs);
    }

    void close(const grpc::Status &status) override
    {
        std::lock_guard lock(m_mutex);
        finishLocked(status);
    }

    // Sends the initial metadata right away, before any event: once a client
    // sees it (ClientReader::WaitForInitialMetadata), the subscription is in
    // place and no later event can be missed. Call before anything is written.
    void announce()
    {
        std::lock_guard lock(m_mutex);
        this->StartSendInitialMetadata();
    }

    // Starts the first write if there is something to send already.
    void begin()
    {
        std::lock_guard lock(m_mutex);
        if (!m_writing && !m_finishRequested)
            pumpLocked(nowMicros());
    }

    void OnWriteDone(bool ok) override
    {
        std::lock_guard lock(m_mutex);
        m_writing = false;
        // A finish requested while the write was in flight (OnCancel, close)
        // must be sent now whatever the write's outcome: without Finish there
        // is no OnDone, and Server::Shutdown waits for OnDone forever.
        if (m_pendingFinish) {
            this->Finish(*m_pendingFinish);
            m_pendingFinish.reset();
            return;
        }
        if (!ok) {
            // The client is gone or the call was cancelled: stop writing.
            finishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "write failed"));
            return;
        }
        if (!m_finishRequested)
            pumpLocked(nowMicros());
    }

    void OnCancel() override
    {
        std::lock_guard lock(m_mutex);
        finishLocked(grpc::Status::CANCELLED);
    }

    void OnDone() override
    {
        if (m_detach)
            m_detach();
        delete this;
    }

protected:
    // With the mutex held and no write in flight: fill *out and return true
    // to send it. May call finishLocked() to end the stream.
    virtual bool produceLocked(Resp *out, int64_t nowUs) = 0;
    // With the mutex held, on every poke, whether or not a write is in flight.
    virtual void onPokeLocked(int64_t) {}

    void finishLocked(const grpc::Status &status)
    {
        if (m_finishRequested)
            return;
        m_finishRequested = true;
        if (m_writing)
            m_pendingFinish = status;
        else
            this->Finish(status);
    }

    std::mutex m_mutex;

private:
    void pumpLocked(int64_t nowUs)
    {
        if (produceLocked(&m_message, nowUs) && !m_finishRequested) {
            m_writing = true;
            this->StartWrite(&m_message);
        }
    }

    Resp m_message;
    bool m_writing = false;
    bool m_finishRequested = false;
    std::optional<grpc::Status> m_pendingFinish;
    std::function<void()> m_detach;
};

// A stream of events with a bounded backlog and an optional filter.
template <class Resp> class EventWriter : public StreamWriter<Resp>
{
public:
    static constexpr size_t kMaxBacklog = 1024;

    explicit EventWriter(std::function<bool(const Resp &)> filter = {})
        : m_filter(std::move(filter))
    {}

    void push(const Resp &event)
    {
        if (m_filter && !m_filter(event))
            return;
        {
            std::lock_guard lock(this->m_mutex);
            if (m_backlog.size() >= kMaxBacklog) {
                m_backlog.clear();
                this->finishLocked(grpc::Status(
                    grpc::StatusCode::RESOURCE_EXHAUSTED,
                    "subscriber fell more than 1024 events behind; re-read and watch again"));
                return;
            }
            m_backlog.push_back(event);
        }
        this->poke(nowMicros());
    }

protected:
    bool produceLocked(Resp *out, int64_t) override
    {
        if (m_backlog.empty())
            return false;
        *out = std::move(m_backlog.front());
        m_backlog.pop_front();
        return true;
    }

private:
    std::function<bool(const Resp &)> m_filter;
    std::deque<Resp> m_backlog;
};

// Fans events out to EventWriters.
template <class Resp> class EventHub
{
public:
    // Registers a writer; it detaches itself when done.
    void subscribe(EventWriter<Resp> *w)
    {
        std::lock_guard lock(m_mutex);
        if (m_closed) {
            w->close(grpc::Status(grpc::StatusCode::UNAVAILABLE, "server is shutting down"));
        }
        m_writers.insert(w);
        w->setDetach([this, w] {
            std::lock_guard lock(m_mutex);
            m_writers.erase(w);
        });
    }
    void publish(const Resp &event)
    {
        std::lock_guard lock(m_mutex);
        for (auto *w : m_writers)
            w->push(event);
    }
    void closeAll(const grpc::Status &status)
    {
        std::lock_guard lock(m_mutex);
        m_closed = true;
        for (auto *w : m_writers)
            w->close(status);
    }

private:
    std::mutex m_mutex;
    std::set<EventWriter<Resp> *> m_writers;
    bool m_closed = false;
};

// A stream that fails before its first message (bad argument, auth).
template <class Resp> grpc::ServerWriteReactor<Resp> *failStream(const grpc::Status &status)
{
    class Failed : public grpc::ServerWriteReactor<Resp>
    {
    public:
        explicit Failed(const grpc::Status &s) { this->Finish(s); }
        void OnDone() override { delete this; }
    };
    return new Failed(status);
}

} // namespace sb::sim
