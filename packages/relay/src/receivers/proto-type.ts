import protobuf from 'protobufjs'

/**
 * A protobuf message type from a `.proto` definition in the receiver's source, parsed on first use (a relay that
 * never sees that protocol never pays for it). Field names as written (`snake_case` stays).
 */
export function lazyProtoType(definition: string, name: string): () => protobuf.Type {
  let type: protobuf.Type | undefined
  return () => {
    type ??= protobuf.parse(definition, { keepCase: true }).root.lookupType(name)
    return type
  }
}
