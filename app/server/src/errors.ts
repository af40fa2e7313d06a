/** A request the API refuses: its status, a name clients can switch on, and a one-line reason. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly error: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export const badRequest = (error: string, message: string) => new ApiError(400, error, message);
