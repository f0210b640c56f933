extension Array {
    /// Consecutive slices of at most `size` elements (the store keeps its own copy internal).
    func chunked(into size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
