import Hummingbird
import Synchronization

/// The (method, path pattern) pairs the router serves. Used to answer 405 instead of 404 when a
/// path exists under another method, and to compare the routes with the API description.
public final class RouteRegistry: Sendable {
    private let entries = Mutex<[(method: String, segments: [Substring])]>([])

    init() {}

    func record(_ method: HTTPRequest.Method, _ path: String) {
        let segments = path.split(separator: "/")
        entries.withLock { $0.append((method.rawValue, segments)) }
    }

    /// Every registered route as `METHOD /path/:param`.
    public var all: [String] {
        entries.withLock { $0.map { "\($0.method) /\($0.segments.joined(separator: "/"))" } }
    }

    /// Methods registered for patterns matching `path`.
    func methods(matching path: String) -> [String] {
        let parts = path.split(separator: "/")
        return entries.withLock { entries in
            let methods = entries.filter { entry in
                entry.segments.count == parts.count
                    && zip(entry.segments, parts).allSatisfy { pattern, part in pattern.hasPrefix(":") || pattern == part }
            }.map(\.method)
            return Array(Set(methods)).sorted()
        }
    }
}

/// The routes of the app's own request context.
typealias Routes = ContextRoutes<AppRequestContext>

/// A router group that records what it registers in a `RouteRegistry`, for any of the app's request
/// contexts (the typed child contexts of `RequestContexts.swift` included).
struct ContextRoutes<Context: RequestContext> {
    let group: RouterGroup<Context>
    let prefix: String
    let registry: RouteRegistry

    /// A sub-group under `path`.
    func group(_ path: String) -> ContextRoutes<Context> {
        ContextRoutes(group: group.group(RouterPath(path)), prefix: prefix + "/" + path, registry: registry)
    }

    /// The same path with a typed child context: its handlers receive `Child`, built from this
    /// group's context (a request whose context cannot become `Child` never reaches them).
    func typed<Child: ChildRequestContext>(_ child: Child.Type) -> ContextRoutes<Child> where Child.ParentContext == Context {
        ContextRoutes<Child>(group: group.group("", context: Child.self), prefix: prefix, registry: registry)
    }

    /// Adds middleware to the routes registered after it on this group.
    func add(middleware: some RouterMiddleware<Context>) -> ContextRoutes<Context> {
        ContextRoutes(group: group.add(middleware: middleware), prefix: prefix, registry: registry)
    }

    @discardableResult
    func on<Output: ResponseGenerator>(
        _ method: HTTPRequest.Method, _ path: String = "",
        use handler: @escaping @Sendable (Request, Context) async throws -> Output
    ) -> ContextRoutes<Context> {
        registry.record(method, path.isEmpty ? prefix : prefix + "/" + path)
        group.on(RouterPath(path), method: method, use: handler)
        return self
    }

    @discardableResult
    func get<Output: ResponseGenerator>(
        _ path: String = "", use handler: @escaping @Sendable (Request, Context) async throws -> Output
    ) -> ContextRoutes<Context> {
        on(.get, path, use: handler)
    }
    @discardableResult
    func post<Output: ResponseGenerator>(
        _ path: String = "", use handler: @escaping @Sendable (Request, Context) async throws -> Output
    ) -> ContextRoutes<Context> {
        on(.post, path, use: handler)
    }
    @discardableResult
    func patch<Output: ResponseGenerator>(
        _ path: String = "", use handler: @escaping @Sendable (Request, Context) async throws -> Output
    ) -> ContextRoutes<Context> {
        on(.patch, path, use: handler)
    }
    @discardableResult
    func put<Output: ResponseGenerator>(
        _ path: String = "", use handler: @escaping @Sendable (Request, Context) async throws -> Output
    ) -> ContextRoutes<Context> {
        on(.put, path, use: handler)
    }
    @discardableResult
    func delete<Output: ResponseGenerator>(
        _ path: String = "", use handler: @escaping @Sendable (Request, Context) async throws -> Output
    ) -> ContextRoutes<Context> {
        on(.delete, path, use: handler)
    }
}
