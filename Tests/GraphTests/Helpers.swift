@testable import Graph

/// A graph of the input and one op, run on one batch.
func runSingleOp(_ op: Op, input: Shape, _ x: [Float], batch: Int = 1, parameters: [Tensor] = []) throws -> [Float] {
    let graph = Graph(nodes: [Node(name: "in", op: .input(input)),
                              Node(name: "op", op: op, inputs: [0], parameters: parameters)])
    return try FloatExecutor(graph).run(x, batch: batch)
}

/// 1, 2, 3, … n as floats.
func ramp(_ n: Int) -> [Float] { (1...n).map(Float.init) }

func close(_ a: [Float], _ b: [Float], tolerance: Float = 1e-4) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($1)) }
}
