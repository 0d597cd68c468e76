package event

// MarshalReflect exposes the encoding/json implementation of MarshalJSON to
// the external tests, which hold the hand-written encoder to it byte for
// byte.
var MarshalReflect = marshalReflect
