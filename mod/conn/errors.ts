/** The stream ended in the middle of something that needed more bytes. */
export class UnexpectedEofError extends Error {
  /** Create the error; `what` names what was being read. */
  constructor(what = "data") {
    super(`unexpected end of stream while reading ${what}`);
    this.name = "UnexpectedEofError";
  }
}
