import Foundation

/// Optimizers over a flat list of parameter tensors. Weight decay applies to the tensors marked
/// `decays` (convolution and dense weights), not to biases or batch-norm parameters.
public enum OptimizerKind: String, CaseIterable, Codable, Sendable {
    /// SGD with momentum, L2 weight decay added to the gradient.
    case sgd
    /// SGD with Nesterov momentum.
    case nesterov
    case adam
    /// Adam with decoupled weight decay (Loshchilov & Hutter, 2019).
    case adamw
}

public struct Optimizer: Codable, Sendable {
    public var kind: OptimizerKind
    public var momentum: Float = 0.9
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var epsilon: Float = 1e-8
    public var weightDecay: Float
    /// First moments (velocity for SGD), one per tensor.
    var first: [[Float]] = []
    var second: [[Float]] = []
    var steps = 0

    public init(kind: OptimizerKind, weightDecay: Float) {
        self.kind = kind
        self.weightDecay = weightDecay
    }

    /// One update of every tensor with its gradient at learning rate `lr`.
    mutating func step(_ parameters: inout [[Float]], gradients: [[Float]], decays: [Bool], lr: Float) {
        if first.isEmpty {
            first = parameters.map { [Float](repeating: 0, count: $0.count) }
            second = kind == .adam || kind == .adamw ? first : []
        }
        steps += 1
        let c1 = 1 - pow(beta1, Float(steps)), c2 = 1 - pow(beta2, Float(steps))
        for t in parameters.indices where !gradients[t].isEmpty {
            let wd = decays[t] ? weightDecay : 0
            for i in parameters[t].indices {
                let w = parameters[t][i]
                switch kind {
                case .sgd, .nesterov:
                    let g = gradients[t][i] + wd * w
                    first[t][i] = momentum * first[t][i] + g
                    parameters[t][i] = w - lr * (kind == .nesterov ? g + momentum * first[t][i] : first[t][i])
                case .adam, .adamw:
                    let g = gradients[t][i] + (kind == .adam ? wd * w : 0)
                    first[t][i] = beta1 * first[t][i] + (1 - beta1) * g
                    second[t][i] = beta2 * second[t][i] + (1 - beta2) * g * g
                    let update = (first[t][i] / c1) / ((second[t][i] / c2).squareRoot() + epsilon)
                    parameters[t][i] = w - lr * (update + (kind == .adamw ? wd * w : 0))
                }
            }
        }
    }
}

/// Learning-rate schedules with linear warm-up.
public enum Schedule: String, CaseIterable, Codable, Sendable {
    /// Cosine decay from the base rate to 0 over the run.
    case cosine
    /// The base rate divided by 10 at 50 % and again at 75 % of the run.
    case step
    case constant

    /// The rate at `step` of `total`, after `warmup` steps rising linearly from 0.
    /// Example: cosine, base 0.1, halfway through (after warm-up) → 0.05.
    public func rate(base: Float, step: Int, total: Int, warmup: Int) -> Float {
        if step < warmup { return base * Float(step + 1) / Float(warmup) }
        let progress = Float(step - warmup) / Float(max(total - warmup, 1))
        switch self {
        case .cosine: return base * 0.5 * (1 + cos(Float.pi * progress))
        case .step: return base * (progress < 0.5 ? 1 : progress < 0.75 ? 0.1 : 0.01)
        case .constant: return base
        }
    }
}
