import Graph

extension GraphBuilder {
    /// The imported graph up to node `output` as a float model: the input named as the source
    /// names it, no labels, pixels mapped to [0, 1] (`--mean/--std/--pixel-range` replace that),
    /// and the source's layouts at the boundary, each with a leading batch axis of 1.
    func importedModel(inputName: String, output: Int, notes: String, inputLayout: TensorLayout, outputLayout: TensorLayout) -> Model {
        var kept = Array(nodes[0...output])
        kept[0].name = inputName
        return Model(graph: Graph(nodes: kept, output: output), labels: [], normalization: .unit(channels: shapes[0].channels),
                     notes: notes, inputLayout: inputLayout.withBatchAxis, outputLayout: outputLayout.withBatchAxis)
    }
}

extension TensorLayout {
    /// This layout with a batch axis of 1 first, prepended where the source's first axis is not
    /// 1 (an output reshaped to `[2, 5]` becomes `[1, 2, 5]`): model.bin and `run`'s `.npy`
    /// files read the first axis as the batch.
    var withBatchAxis: TensorLayout {
        dims.first == 1 ? self : TensorLayout(dims: [1] + dims, order: [0] + order.map { $0 + 1 })
    }
}

/// Runs one node's lowering with its errors as `FloatImportError`s naming it (`prefix: message`).
func namingErrors<T>(_ prefix: String, _ body: () throws -> T) throws(FloatImportError) -> T {
    do {
        return try body()
    } catch let error as FloatImportError {
        throw error
    } catch let error as GraphError {
        throw FloatImportError("\(prefix): \(error.message)")
    } catch {
        throw FloatImportError("\(prefix): \(error)")
    }
}
