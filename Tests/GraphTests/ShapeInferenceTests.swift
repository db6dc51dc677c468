import Testing
@testable import Graph

@Suite struct ShapeInferenceTests {
    func shape(_ op: Op, _ input: Shape, parameters: [Tensor] = []) throws -> Shape {
        try Graph(nodes: [Node(name: "in", op: .input(input)), Node(name: "x", op: op, inputs: [0], parameters: parameters)])
            .inferShapes()[1]
    }

    func error(_ graph: Graph) -> GraphError? {
        do { _ = try graph.inferShapes(); return nil } catch { return error }
    }

    func zeros(_ dims: Int...) -> Tensor { Tensor(zeros: dims) }

    @Test func everyOpsOutputShape() throws {
        let img = Shape([10, 12, 8])
        #expect(try shape(.conv2d(Conv2D(outChannels: 4, kernel: (3, 3), stride: (2, 2))), img,
                          parameters: [zeros(4, 3, 3, 8), zeros(4)]) == Shape([5, 6, 4]))
        #expect(try shape(.conv2d(Conv2D(outChannels: 16, kernel: (3, 3), dilation: (2, 2), padding: .valid, groups: 8, hasBias: false)), img,
                          parameters: [zeros(16, 3, 3, 1)]) == Shape([6, 8, 16]))
        #expect(try shape(.conv2d(Conv2D(outChannels: 2, kernel: (1, 1), padding: .explicit(top: 1, left: 2, bottom: 0, right: 0), hasBias: false)), img,
                          parameters: [zeros(2, 1, 1, 8)]) == Shape([11, 14, 2]))
        #expect(try shape(.transposedConv2d(TransposedConv2D(outChannels: 3, kernel: (3, 3), stride: (2, 2), outputPadding: (1, 0))), img,
                          parameters: [zeros(3, 3, 3, 8), zeros(3)]) == Shape([21, 24, 3]))
        #expect(try shape(.transposedConv2d(TransposedConv2D(outChannels: 3, kernel: (3, 3), stride: (2, 2), padding: .valid, hasBias: false)), img,
                          parameters: [zeros(3, 3, 3, 8)]) == Shape([21, 25, 3]))
        #expect(try shape(.batchNorm(epsilon: 1e-3), img, parameters: [zeros(8), zeros(8), zeros(8), zeros(8)]) == img)
        #expect(try shape(.activation(.hardSwish), img) == img)
        #expect(try shape(.dropout(rate: 0.2), img) == img)
        #expect(try shape(.maxPool(Pool(kernel: (2, 2), stride: (2, 2))), img) == Shape([5, 6, 8]))
        #expect(try shape(.averagePool(Pool(kernel: (3, 3), stride: (2, 2), padding: .same)), img) == Shape([5, 6, 8]))
        #expect(try shape(.globalAveragePool, img) == Shape([8]))
        #expect(try shape(.channelShuffle(groups: 4), img) == img)
        #expect(try shape(.reshape(Shape([120, 8])), img) == Shape([120, 8]))
        #expect(try shape(.flatten, img) == Shape([960]))
        #expect(try shape(.zeroPad(top: 1, left: 2, bottom: 3, right: 4), img) == Shape([14, 18, 8]))
        #expect(try shape(.upsampleNearest(scaleH: 2, scaleW: 3), img) == Shape([20, 36, 8]))
        #expect(try shape(.softmax, img) == img)
        let graph = Graph(nodes: [
            Node(name: "in", op: .input(img)),
            Node(name: "flat", op: .flatten, inputs: [0]),
            Node(name: "fc", op: .dense(outFeatures: 7, hasBias: false), inputs: [1], parameters: [zeros(7, 960)]),
            Node(name: "cat", op: .concat, inputs: [0, 0]),
            Node(name: "sum", op: .add, inputs: [0, 0]),
        ])
        #expect(try graph.inferShapes().suffix(3) == [Shape([7]), Shape([10, 12, 16]), img])
    }

    @Test func errorsNameTheNodeAndTheMismatch() {
        let img = Shape([8, 8, 6])
        func single(_ op: Op, parameters: [Tensor] = []) -> String {
            error(Graph(nodes: [Node(name: "in", op: .input(img)), Node(name: "bad", op: op, inputs: [0], parameters: parameters)]))?
                .description ?? "no error"
        }
        #expect(single(.conv2d(Conv2D(outChannels: 4, kernel: (3, 3), groups: 4)), parameters: [zeros(4, 3, 3, 1), zeros(4)])
                == "node 1 'bad' (conv2d): input has 6 channels, not divisible by groups 4")
        #expect(single(.conv2d(Conv2D(outChannels: 4, kernel: (3, 3))), parameters: [zeros(4, 3, 3, 5), zeros(4)])
                == "node 1 'bad' (conv2d): parameter 0 has shape [4, 3, 3, 5], expected [4, 3, 3, 6]")
        #expect(single(.conv2d(Conv2D(outChannels: 4, kernel: (9, 9), padding: .valid, hasBias: false)), parameters: [zeros(4, 9, 9, 6)])
                == "node 1 'bad' (conv2d): a 9-wide window (dilation 1) does not fit an input of 8 with valid padding")
        #expect(single(.conv2d(Conv2D(outChannels: 4, kernel: (3, 3)))).contains("has 0 parameter tensors, expected 2"))
        #expect(single(.dense(outFeatures: 3, hasBias: false), parameters: [zeros(3, 384)])
                .contains("needs a vector input, got 8×8×6"))
        #expect(single(.channelShuffle(groups: 4)).contains("6 channels cannot be shuffled in 4 groups"))
        #expect(single(.reshape(Shape([7, 7]))).contains("cannot reshape 8×8×6 (384 values) to 7×7"))
        #expect(single(.maxPool(Pool(kernel: (2, 2), stride: (0, 2)))).contains("must be ≥ 1"))
        #expect(single(.batchNorm(epsilon: 0), parameters: [zeros(6), zeros(6), zeros(6), zeros(6)]).contains("epsilon"))
        #expect(single(.upsampleNearest(scaleH: 1 << 20, scaleW: 1 << 20)).contains("more than"))
        #expect(single(.dropout(rate: 1)).contains("rate must be in [0, 1)"))

        let mismatched = Graph(nodes: [
            Node(name: "in", op: .input(img)),
            Node(name: "pool", op: .maxPool(Pool(kernel: (2, 2), stride: (2, 2))), inputs: [0]),
            Node(name: "residual", op: .add, inputs: [0, 1]),
        ])
        #expect(error(mismatched)?.description == "node 2 'residual' (add): adds 8×8×6 to 4×4×6: shapes differ")
        let forward = Graph(nodes: [Node(name: "in", op: .input(img)), Node(name: "x", op: .softmax, inputs: [2])])
        #expect(error(forward)?.description == "node 1 'x' (softmax): input 2 is not an earlier node")
        let noInput = Graph(nodes: [Node(name: "x", op: .softmax)])
        #expect(error(noInput)?.description == "node 0 'x' (softmax): node 0 must be the graph input")
        #expect(error(Graph(nodes: []))?.description == "the graph has no nodes")
    }
}
