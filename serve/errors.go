package serve

import (
	"context"
	"errors"
	"net/http"
	"strconv"
)

// Error classes, as the error_type of an error body and the class label of
// the errors metric. Validation and Overloaded are TEI's own names.
const (
	ClassValidation   = "Validation"       // 422: malformed body, bad field, too many texts
	ClassTooLarge     = "PayloadTooLarge"  // 413: body over the limit
	ClassUnauthorized = "Unauthorized"     // 401: no bearer token
	ClassForbidden    = "Forbidden"        // 403: wrong bearer token
	ClassOverloaded   = "Overloaded"       // 503: queue full or shutting down
	ClassTimeout      = "Timeout"          // 504: the request's deadline passed
	ClassBackend      = "Backend"          // 500: the model failed
	ClassNotFound     = "NotFound"         // 404: no such route
	ClassMethod       = "MethodNotAllowed" // 405: a route called with the wrong method
)

// apiError is an error a handler answers with.
type apiError struct {
	status int
	class  string
	msg    string
}

func (e *apiError) Error() string { return e.msg }

func validation(msg string) *apiError {
	return &apiError{http.StatusUnprocessableEntity, ClassValidation, msg}
}

var (
	errOverloaded = &apiError{http.StatusServiceUnavailable, ClassOverloaded, "overloaded: the queue is full, retry later"}
	errStopping   = &apiError{http.StatusServiceUnavailable, ClassOverloaded, "shutting down, retry on another instance"}
	errTimeout    = &apiError{http.StatusGatewayTimeout, ClassTimeout, "deadline exceeded before the scores were ready"}
	errBackend    = &apiError{http.StatusInternalServerError, ClassBackend, "the model failed to score this request"}
)

// classify maps any error to what the client sees; model errors become a
// generic 500 so no internals leak.
func classify(err error) *apiError {
	var ae *apiError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.As(err, &mbe):
		return &apiError{http.StatusRequestEntityTooLarge, ClassTooLarge, "request body over " + strconv.FormatInt(mbe.Limit, 10) + " bytes"}
	case errors.Is(err, context.DeadlineExceeded):
		return errTimeout
	default:
		return errBackend
	}
}

// retryAfter is the Retry-After header value (seconds) sent with 503.
const retryAfter = "1"
