type TypedArrayConstructor =
  | Float64ArrayConstructor
  | Float32ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | Int16ArrayConstructor
  | Uint8ArrayConstructor;

const padded = (bytes: number) => Math.ceil(bytes / 8) * 8;

/**
 * Typed arrays of `n` elements each, carved from one ArrayBuffer. V8 starts a full collection whenever the memory
 * held outside its heap has grown by some tens of megabytes since the last one: at a million legs, every large
 * array allocated on its own cost one (seconds each, a million legs' objects to mark), one buffer costs one at most.
 */
export function carve<const T extends readonly TypedArrayConstructor[]>(
  n: number,
  types: T,
): { -readonly [K in keyof T]: InstanceType<T[K]> } {
  let bytes = 0;
  for (const t of types) bytes += padded(n * t.BYTES_PER_ELEMENT);
  const buffer = new ArrayBuffer(bytes);
  let offset = 0;
  return types.map((t) => {
    const a = new t(buffer, offset, n);
    offset += padded(n * t.BYTES_PER_ELEMENT);
    return a;
  }) as { -readonly [K in keyof T]: InstanceType<T[K]> };
}
