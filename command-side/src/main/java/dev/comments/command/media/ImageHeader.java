package dev.comments.command.media;

/**
 * What the first bytes of an image say: its format and dimensions, and for WebP the length its RIFF
 * header promises (-1 for other formats), against which the whole body is checked.
 */
public record ImageHeader(ImageFormat format, int width, int height, long promisedLength) {}
