import Foundation
import Testing
@testable import Graph

/// Small cases computed by hand; the arithmetic is in the comments.
@Suite struct FloatOpTests {
    let ones2x2 = Tensor(shape: [1, 2, 2, 1], data: [1, 1, 1, 1])

    @Test func convValidStride1() throws {
        // 3×3 input 1…9, 2×2 kernel of ones: 1+2+4+5=12, 2+3+5+6=16, 4+5+7+8=24, 5+6+8+9=28.
        let y = try runSingleOp(.conv2d(Conv2D(outChannels: 1, kernel: (2, 2), padding: .valid, hasBias: false)),
                                input: Shape([3, 3, 1]), ramp(9), parameters: [ones2x2])
        #expect(y == [12, 16, 24, 28])
    }

    @Test func convStride2AsymmetricPadding() throws {
        // One zero row on top, one zero column on the right; 2×2 windows at stride 2:
        // (0,0) rows −1,0 × cols 0,1 → 1+2 = 3;   (0,1) rows −1,0 × cols 2,3 → 3+0 = 3
        // (1,0) rows 1,2 × cols 0,1 → 4+5+7+8 = 24; (1,1) rows 1,2 × cols 2,3 → 6+9 = 15
        let conv = Conv2D(outChannels: 1, kernel: (2, 2), stride: (2, 2),
                          padding: .explicit(top: 1, left: 0, bottom: 0, right: 1), hasBias: false)
        let y = try runSingleOp(.conv2d(conv), input: Shape([3, 3, 1]), ramp(9), parameters: [ones2x2])
        #expect(y == [3, 3, 24, 15])
    }

    @Test func convDilation2() throws {
        // 5×5 input 1…25, 3×3 ones at dilation 2 spans the whole image, reading rows and columns
        // 0, 2, 4: (1+3+5) + (11+13+15) + (21+23+25) = 117. Bias 0.5 → 117.5.
        let conv = Conv2D(outChannels: 1, kernel: (3, 3), dilation: (2, 2), padding: .valid)
        let w = Tensor(shape: [1, 3, 3, 1], data: .init(repeating: 1, count: 9))
        let y = try runSingleOp(.conv2d(conv), input: Shape([5, 5, 1]), ramp(25),
                                parameters: [w, Tensor(shape: [1], data: [0.5])])
        #expect(y == [117.5])
    }

    @Test func convSamePaddingEvenInputStride2() throws {
        // TFLite SAME on 4 wide, k 3, stride 2: out 2, total pad (2−1)·2+3−4 = 1 → 0 before, 1 after.
        // 1-D along W (H = 1, k 1×3 of ones): windows [0,1,2] → 1+2+3 = 6, [2,3,4(pad)] → 3+4 = 7.
        let conv = Conv2D(outChannels: 1, kernel: (1, 3), stride: (1, 2), padding: .same, hasBias: false)
        let y = try runSingleOp(.conv2d(conv), input: Shape([1, 4, 1]), ramp(4),
                                parameters: [Tensor(shape: [1, 1, 3, 1], data: [1, 1, 1])])
        #expect(y == [6, 7])
    }

    @Test func groupedConv() throws {
        // 1×1 conv, 4 input channels [1,2,3,4], 2 groups of 2 → 2 outputs:
        // group 0 weights [1, 1] on [1, 2] → 3; group 1 weights [1, −1] on [3, 4] → −1.
        let conv = Conv2D(outChannels: 2, kernel: (1, 1), groups: 2, hasBias: false)
        let y = try runSingleOp(.conv2d(conv), input: Shape([1, 1, 4]), [1, 2, 3, 4],
                                parameters: [Tensor(shape: [2, 1, 1, 2], data: [1, 1, 1, -1])])
        #expect(y == [3, -1])
    }

    @Test func depthwiseMultiplier2() throws {
        // Input channels [1, 2], multiplier 2: output o reads channel o / 2 with weight w[o]:
        // [1·2, 1·3, 2·4, 2·5] + bias 1 = [3, 4, 9, 11].
        let conv = Conv2D(outChannels: 4, kernel: (1, 1), groups: 2)
        let y = try runSingleOp(.conv2d(conv), input: Shape([1, 1, 2]), [1, 2],
                                parameters: [Tensor(shape: [4, 1, 1, 1], data: [2, 3, 4, 5]),
                                             Tensor(shape: [4], data: [1, 1, 1, 1])])
        #expect(y == [3, 4, 9, 11])
    }

    @Test func depthwise3x3Padded() throws {
        // 3×3 image 1…9, depthwise 3×3 of ones, SAME: each output is the sum of its in-image
        // neighbourhood; the corner (0,0) sums 1+2+4+5 = 12, the center sums 45.
        let conv = Conv2D(outChannels: 1, kernel: (3, 3), groups: 1, hasBias: false)
        let y = try runSingleOp(.conv2d(conv), input: Shape([3, 3, 1]), ramp(9),
                                parameters: [Tensor(shape: [1, 3, 3, 1], data: .init(repeating: 1, count: 9))])
        #expect(y == [12, 21, 16, 27, 45, 33, 24, 39, 28])
    }

    @Test func transposedConvStride2() throws {
        // Input [1, 2] along W, kernel [1, 10, 100], stride 2, VALID: out (2−1)·2+3 = 5;
        // x=0 adds 1,10,100 at 0,1,2; x=1 adds 2,20,200 at 2,3,4 → [1, 10, 102, 20, 200].
        let w = Tensor(shape: [1, 1, 3, 1], data: [1, 10, 100])
        let valid = TransposedConv2D(outChannels: 1, kernel: (1, 3), stride: (1, 2), padding: .valid, hasBias: false)
        #expect(try runSingleOp(.transposedConv2d(valid), input: Shape([1, 2, 1]), [1, 2], parameters: [w]) == [1, 10, 102, 20, 200])
        // SAME: out 2·2 = 4, total padding max(3 − 2, 0) = 1 → 0 before: the first 4 of the above.
        let same = TransposedConv2D(outChannels: 1, kernel: (1, 3), stride: (1, 2), padding: .same, hasBias: false)
        #expect(try runSingleOp(.transposedConv2d(same), input: Shape([1, 2, 1]), [1, 2], parameters: [w]) == [1, 10, 102, 20])
        // Output padding 1 on VALID adds a sixth column that receives nothing but the bias 0.5.
        let padded = TransposedConv2D(outChannels: 1, kernel: (1, 3), stride: (1, 2), padding: .valid, outputPadding: (0, 1))
        #expect(try runSingleOp(.transposedConv2d(padded), input: Shape([1, 2, 1]), [1, 2],
                                parameters: [w, Tensor(shape: [1], data: [0.5])]) == [1.5, 10.5, 102.5, 20.5, 200.5, 0.5])
    }

    @Test func pools() throws {
        // Max 2×2 stride 2 on 4×4 1…16 → maxima of the quadrants 6, 8, 14, 16.
        let max2 = Pool(kernel: (2, 2), stride: (2, 2))
        #expect(try runSingleOp(.maxPool(max2), input: Shape([4, 4, 1]), ramp(16)) == [6, 8, 14, 16])
        // Average 2×2 stride 2 SAME on 3×3 1…9: padding 0 before, 1 after; padded cells not counted:
        // (1+2+4+5)/4 = 3, (3+6)/2 = 4.5, (7+8)/2 = 7.5, 9/1 = 9.
        let avg = Pool(kernel: (2, 2), stride: (2, 2), padding: .same)
        #expect(try runSingleOp(.averagePool(avg), input: Shape([3, 3, 1]), ramp(9)) == [3, 4.5, 7.5, 9])
        // Global average of a 2×2×2 image: channel 0 (1+3+5+7)/4 = 4, channel 1 (2+4+6+8)/4 = 5.
        #expect(try runSingleOp(.globalAveragePool, input: Shape([2, 2, 2]), ramp(8)) == [4, 5])
    }

    @Test func layoutOps() throws {
        // Shuffle 6 channels in 2 groups: [a0 a1 a2 b0 b1 b2] → [a0 b0 a1 b1 a2 b2].
        #expect(try runSingleOp(.channelShuffle(groups: 2), input: Shape([1, 1, 6]), [0, 1, 2, 3, 4, 5]) == [0, 3, 1, 4, 2, 5])
        // Zero-pad a 1×2 image by one on top and one on the right → 2×3.
        #expect(try runSingleOp(.zeroPad(top: 1, left: 0, bottom: 0, right: 1), input: Shape([1, 2, 1]), [7, 8])
                == [0, 0, 0, 7, 8, 0])
        // Upsample 1×2 by 2×2 → each value fills a 2×2 block.
        #expect(try runSingleOp(.upsampleNearest(scaleH: 2, scaleW: 2), input: Shape([1, 2, 1]), [1, 2])
                == [1, 1, 2, 2, 1, 1, 2, 2])
        // Softmax of [0, ln 3] → [1/4, 3/4].
        #expect(close(try runSingleOp(.softmax, input: Shape([1, 1, 2]), [0, Float(log(3.0))]), [0.25, 0.75]))
    }

    @Test func concatAddAndBatchNorm() throws {
        // Concat two 1×2 images with 2 and 1 channels: pixel by pixel [a, b | c].
        let concat = Graph(nodes: [
            Node(name: "in", op: .input(Shape([1, 2, 2]))),
            Node(name: "one", op: .conv2d(Conv2D(outChannels: 1, kernel: (1, 1), hasBias: false)), inputs: [0],
                 parameters: [Tensor(shape: [1, 1, 1, 2], data: [1, 1])]),
            Node(name: "cat", op: .concat, inputs: [0, 1]),
            Node(name: "sum", op: .add, inputs: [2, 2]),
        ])
        // Pixels [1,2] and [3,4]; the 1×1 conv sums them: 3 and 7; concat → [1,2,3, 3,4,7]; add doubles it.
        #expect(try FloatExecutor(concat).run([1, 2, 3, 4], batch: 1) == [2, 4, 6, 6, 8, 14])
        // Batch norm: gamma 2, beta 1, mean 3, variance 4 − ε: (5 − 3) / 2 · 2 + 1 = 3.
        let bn = try runSingleOp(.batchNorm(epsilon: 0.001), input: Shape([1, 1, 1]), [5],
                                 parameters: [Tensor(shape: [1], data: [2]), Tensor(shape: [1], data: [1]),
                                              Tensor(shape: [1], data: [3]), Tensor(shape: [1], data: [3.999])])
        #expect(close(bn, [3]))
    }

    @Test func activations() throws {
        let x: [Float] = [-4, -1, 0, 2, 7]
        func act(_ a: Activation) throws -> [Float] { try runSingleOp(.activation(a), input: Shape([1, 1, 5]), x) }
        #expect(try act(.relu) == [0, 0, 0, 2, 7])
        #expect(try act(.relu6) == [0, 0, 0, 2, 6])
        #expect(try act(.leakyRelu(alpha: 0.5)) == [-2, -0.5, 0, 2, 7])
        // hard-swish x·relu6(x+3)/6: −4 → 0, −1 → −1·2/6, 0 → 0, 2 → 2·5/6, 7 → 7.
        #expect(close(try act(.hardSwish), [0, -1.0 / 3, 0, 10.0 / 6, 7]))
        #expect(close(try act(.sigmoid), x.map { 1 / (1 + Float(exp(Double(-$0)))) }))
    }

}
