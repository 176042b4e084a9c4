#include "replay/recorder.h"

#include "client/channel_factory.h"
#include "replay/recording_file.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <google/protobuf/message_lite.h>
#include <grpcpp/support/client_interceptor.h>
#include <mutex>

namespace sb::replay {

namespace gx = grpc::experimental;

struct Recorder::Sink
{
    std::mutex mutex;
    std::FILE *file = nullptr;
    std::chrono::steady_clock::time_point started;
    std::chrono::steady_clock::time_point lastFlush;
    std::atomic<quint64> calls{0};
    std::atomic<quint64> written{0};
    bool failed = false;

    qint64 nowUs() const
    {
        return std::chrono::duration_cast<std::chrono::microseconds>(
                   std::chrono::steady_clock::now() - started)
            .count();
    }

    void write(RecordedMessage &m, bool first)
    {
        m.arrivalUs = nowUs();
        const std::string bytes = encodeMessage(m, first);
        std::lock_guard lock(mutex);
        if (!file || failed)
            return;
        if (std::fwrite(bytes.data(), 1, bytes.size(), file) != bytes.size()) {
            failed = true;
            std::fprintf(stderr, "switchboard: the recording stopped: cannot write to it\n");
            return;
        }
        written.fetch_add(1, std::memory_order_relaxed);
        const auto now = std::chrono::steady_clock::now();
        if (now - lastFlush > std::chrono::seconds(1)) {
            std::fflush(file);
            lastFlush = now;
        }
    }

    void close()
    {
        std::lock_guard lock(mutex);
        if (file)
            std::fclose(file);
        file = nullptr;
    }
};

namespace {

std::string serialized(const void *message)
{
    // Every stub of ours sends and receives generated protobuf messages,
    // which start with their MessageLite base.
    return message
               ? static_cast<const google::protobuf::MessageLite *>(message)->SerializeAsString()
               : std::string();
}

class RecordingInterceptor final : public gx::Interceptor
{
public:
    RecordingInterceptor(std::shared_ptr<Recorder::Sink> sink, std::string method)
        : m_sink(std::move(sink))
    {
        m_message.method = std::move(method);
        m_message.call = m_sink->calls.fetch_add(1) + 1;
    }

    void Intercept(gx::InterceptorBatchMethods *methods) override
    {
        using H = gx::InterceptionHookPoints;
        if (methods->QueryInterceptionHookPoint(H::PRE_SEND_MESSAGE)) {
            if (const void *m = methods->GetSendMessage()) {
                m_message.request = serialized(m);
            } else if (grpc::ByteBuffer *b = methods->GetSerializedSendMessage()) {
                grpc::Slice s;
                if (b->TrySingleSlice(&s).ok())
                    m_message.request.assign(reinterpret_cast<const char *>(s.begin()), s.size());
            }
        }
        if (methods->QueryInterceptionHookPoint(H::POST_RECV_MESSAGE)) {
            if (void *m = methods->GetRecvMessage()) {
                m_message.response = serialized(m);
                m_sink->write(m_message, m_first);
                m_first = false;
                m_message.request.clear(); // only the first message carries it
            }
        }
        methods->Proceed();
    }

private:
    std::shared_ptr<Recorder::Sink> m_sink;
    RecordedMessage m_message;
    bool m_first = true;
};

class RecordingFactory final : public gx::ClientInterceptorFactoryInterface
{
public:
    explicit RecordingFactory(std::weak_ptr<Recorder::Sink> sink) : m_sink(std::move(sink)) {}
    gx::Interceptor *CreateClientInterceptor(gx::ClientRpcInfo *info) override
    {
        auto sink = m_sink.lock();
        const char *method = info->method();
        if (!sink || !method || std::string_view(method).rfind("/switchboard.", 0) != 0)
            return nullptr;
        return new RecordingInterceptor(std::move(sink), method);
    }

private:
    std::weak_ptr<Recorder::Sink> m_sink;
};

} // namespace

Recorder::Recorder() = default;

Recorder::~Recorder()
{
    stop();
}

bool Recorder::start(const QString &path, QString *error)
{
    stop();
    auto sink = std::make_shared<Sink>();
    sink->file = std::fopen(QFile::encodeName(path).constData(), "wb");
    if (!sink->file) {
        *error = QStringLiteral("cannot write %1").arg(path);
        return false;
    }
    sink->started = sink->lastFlush = std::chrono::steady_clock::now();
    const std::string header =
        encodeHeader(QDateTime::currentMSecsSinceEpoch(),
                     (QCoreApplication::applicationName() + QLatin1Char(' ') +
                      QCoreApplication::applicationVersion())
                         .trimmed()
                         .toStdString());
    if (std::fwrite(header.data(), 1, header.size(), sink->file) != header.size()) {
        std::fclose(sink->file);
        *error = QStringLiteral("cannot write %1").arg(path);
        return false;
    }
    m_sink = sink;
    detail::setChannelInterceptor(
        [weak = std::weak_ptr<Sink>(sink)] { return std::make_unique<RecordingFactory>(weak); });
    return true;
}

void Recorder::stop()
{
    if (!m_sink)
        return;
    detail::setChannelInterceptor({});
    m_sink->close();
    m_sink.reset(); // calls still open hold it until they end; they write nothing more
}

quint64 Recorder::messages() const
{
    return m_sink ? m_sink->written.load() : 0;
}

} // namespace sb::replay
