/**
 * Where the current time comes from. The core never reads the clock itself; whoever calls it
 * passes the instant in, so reset rules can be tested at 23:59:59.999.
 */
export interface Clock {
  now(): Date;
}
