package app

import "strconv"

// ExitError asks main to exit with Code after printing Message (if any)
// instead of a generic error line: a failed check is an answer, not a crash.
type ExitError struct {
	Code    int
	Message string
}

func (e ExitError) Error() string {
	if e.Message != "" {
		return e.Message
	}
	return "exit status " + strconv.Itoa(e.Code)
}
