import NIOCore
import NIOPosix

/// A task executor that runs its jobs on one NIO event loop.
///
/// A task that prefers it (`withTaskExecutorPreference`) and talks to connections on that loop does
/// each round trip on one thread: the loop reads PostgreSQL's answer, the task resumes right there,
/// writes the next statement and sleeps until the next answer — instead of handing every answer to
/// the cooperative pool and queueing behind whatever request handlers are waiting there.
final class EventLoopTaskExecutor: TaskExecutor, Sendable {
    let loop: any EventLoop

    init(_ loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }

    /// The loop of the write pool's connections (`PostgresBackend`): one thread for the process, shared
    /// by every backend it opens, like NIO's own singleton group; it is never shut down.
    static let writes = EventLoopTaskExecutor(MultiThreadedEventLoopGroup(numberOfThreads: 1).next())
}
