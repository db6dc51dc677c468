/// One input of a channel concatenation: copies the `channels` channels of each of `pixels`
/// pixels (batch · H · W) into channels `channelOffset ..< channelOffset + channels` of an output
/// with `outputChannels` channels. Called once per input, input 0 at offset 0.
func concatF32(_ x: UnsafePointer<Float>, channels: Int, pixels: Int, outputChannels: Int, channelOffset: Int,
               _ y: UnsafeMutablePointer<Float>) {
    for p in 0..<pixels { (y + p * outputChannels + channelOffset).update(from: x + p * channels, count: channels) }
}
