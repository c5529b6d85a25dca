package serve

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/precedent/precedent/rerank"
)

// Error classes, as the error_type of an error body and the class label of
// the errors metric. Validation and Overloaded are TEI's own names, with
// TEI's status codes (see the README's comparison table).
const (
	ClassValidation     = "Validation"       // 422: malformed body, bad field; 413: too many texts, an input over max_len with truncate: false
	ClassTooLarge       = "PayloadTooLarge"  // 413: body over the limit
	ClassUnauthorized   = "Unauthorized"     // 401: no bearer token, or a wrong one
	ClassForbidden      = "Forbidden"        // 403: a token-less server asked for by a non-loopback Host name
	ClassOverloaded     = "Overloaded"       // 429: queue full or shutting down
	ClassUnhealthy      = "Unhealthy"        // 503: GET /health while draining
	ClassTimeout        = "Timeout"          // 504: the request's deadline passed
	ClassRequestTimeout = "RequestTimeout"   // 408: the request body did not arrive in time
	ClassBadRequest     = "BadRequest"       // 400: the request body could not be read
	ClassBackend        = "Backend"          // 500: the model failed
	ClassNotFound       = "NotFound"         // 404: no such route
	ClassMethod         = "MethodNotAllowed" // 405: a route called with the wrong method
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

// tooMany refuses more texts than --max-texts: 413, as TEI answers a batch
// over its max_client_batch_size.
func tooMany(field string, n, limit int) *apiError {
	return &apiError{http.StatusRequestEntityTooLarge, ClassValidation, fmt.Sprintf("%s: %d given, at most %d per request", field, n, limit)}
}

var (
	errOverloaded  = &apiError{http.StatusTooManyRequests, ClassOverloaded, "overloaded: the queue is full, retry later"}
	errStopping    = &apiError{http.StatusTooManyRequests, ClassOverloaded, "shutting down, retry on another instance"}
	errTimeout     = &apiError{http.StatusGatewayTimeout, ClassTimeout, "deadline exceeded before the scores were ready"}
	errBackend     = &apiError{http.StatusInternalServerError, ClassBackend, "the model failed to score this request"}
	errBodyTime    = &apiError{http.StatusRequestTimeout, ClassRequestTimeout, "the request body did not arrive in time"}
	errBodyRead    = &apiError{http.StatusBadRequest, ClassBadRequest, "the request body could not be read"}
	errDraining    = &apiError{http.StatusServiceUnavailable, ClassUnhealthy, "draining: shutting down soon, send requests elsewhere"}
	errForeignHost = &apiError{http.StatusForbidden, ClassForbidden, "this server has no token and answers only requests addressed to a loopback name (localhost, 127.0.0.1, [::1])"}
	errWrongToken  = &apiError{http.StatusUnauthorized, ClassUnauthorized, "invalid bearer token"}
)

// classify maps any error to what the client sees; model errors become a
// generic 500 so no internals leak.
func classify(err error) *apiError {
	var ae *apiError
	var mbe *http.MaxBytesError
	var tl *rerank.TooLongError
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.As(err, &mbe):
		return &apiError{http.StatusRequestEntityTooLarge, ClassTooLarge, "request body over " + strconv.FormatInt(mbe.Limit, 10) + " bytes"}
	case errors.As(err, &tl):
		return &apiError{http.StatusRequestEntityTooLarge, ClassValidation, fmt.Sprintf("input %d is longer than the model's %d tokens (query and text together) and truncate is false", tl.Index, tl.MaxLen)}
	case errors.Is(err, context.DeadlineExceeded):
		return errTimeout
	default:
		return errBackend
	}
}

// retryAfter is the Retry-After header value (seconds) sent with 429.
const retryAfter = "1"
