import Graph

extension Model {
    /// Sets every batch-norm node's running mean and variance to the statistics of its input
    /// over `images` random inputs (uniform pixels, normalized as the model expects), layer by
    /// layer in one forward pass in training mode, so that an untrained network's activations
    /// stay in a sane range. Deterministic for a given seed.
    public mutating func calibrateBatchNormOnRandomImages(images: Int = 32, seed: UInt64 = 1) throws(GraphError) {
        let executor = try FloatExecutor(graph)
        let shape = graph.inputShape
        var random = SeededRandom(seed: seed)
        let input = (0..<(images * shape.count)).map { i in
            let c = i % shape.channels
            return (Float.random(in: 0...1, using: &random) - normalization.mean[c]) / normalization.std[c]
        }
        var readers: [Int: [Int]] = [:]
        for (index, node) in graph.nodes.enumerated() {
            if case .batchNorm = node.op { readers[node.inputs[0], default: []].append(index) }
        }
        var nodes = graph.nodes
        _ = executor.run(input, batch: images, batchStatistics: true) { producer, values in
            for bn in readers[producer] ?? [] {
                let moments = batchMoments(values.baseAddress!, count: values.count, channels: executor.shapes[producer].channels,
                                           gammaBeta: nodes[bn].parameters)
                nodes[bn].parameters = moments
            }
        }
        graph.nodes = nodes
    }
}
