import Foundation
import FrontdeskTestSupport
import NIOCore
import NIOPosix
import SQLKit
import Testing

@testable import FrontdeskStore

/// PostgreSQL's write transactions run on the write pool's own thread (`EventLoopTaskExecutor.writes`):
/// their round trips do not wait behind request handlers for a turn on the cooperative pool.
@Suite("Write transactions on their own thread")
struct WriteThreadTests {
    @Test("a task that prefers a loop's executor runs there, before and after every suspension")
    func executorKeepsItsLoop() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let executor = EventLoopTaskExecutor(group.next())
        let other = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let seen = await withTaskExecutorPreference(executor) {
            var seen = [executor.loop.inEventLoop]
            await Task.yield()
            seen.append(executor.loop.inEventLoop)
            // Resumed from another thread: the task comes back to its loop.
            try? await other.next().scheduleTask(in: .milliseconds(1)) {}.futureResult.get()
            seen.append(executor.loop.inEventLoop)
            return seen
        }
        #expect(seen == [true, true, true])
        #expect(!executor.loop.inEventLoop)
        try await group.shutdownGracefully()
        try await other.shutdownGracefully()
    }

    @Test("a PostgreSQL write transaction's body and its round trips run on the write loop; reads do not")
    func transactionsRunOnTheWriteLoop() async throws {
        guard TestBackend.current == .postgres else { return }
        try await withTestDatabase { database in
            let loop = EventLoopTaskExecutor.writes.loop
            let inTransaction = try await database.transaction { sql in
                let before = loop.inEventLoop
                let row = try await sql.raw("SELECT 1 AS one").first()
                return [before, try row?.decode(column: "one", as: Int.self) == 1, loop.inEventLoop]
            }
            #expect(inTransaction == [true, true, true])
            let inStatement = try await database.writeStatement(scope: .housekeeping) { sql in
                _ = try await sql.raw("SELECT 1").run()
                return loop.inEventLoop
            }
            #expect(inStatement)
            let inRead = try await database.read { sql in
                _ = try await sql.raw("SELECT 1").run()
                return loop.inEventLoop
            }
            #expect(!inRead)
        }
    }
}
