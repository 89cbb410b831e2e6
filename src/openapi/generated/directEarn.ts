// Generated from openapi/directEarn.yaml by `npm run generate`. Do not edit: a test fails when stale.
export interface paths {
    "/v2/promotion/bulk/directEarn": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Issue a promotion to customers in bulk
         * @description Issues one promotion to every customer of the request and answers one entry per customer.
         *     Use it for a single customer too.
         *
         *     Which case answers a customer is decided in the order of `x-directearn-catalogue`'s
         *     `precedence`; the first that applies wins, and when none applies the customer earns.
         */
        post: operations["bulkDirectEarn"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /**
         * @description A bulk issue request: one promotion, one identifier type, a list of customers.
         *     Inferred: unknown properties are ignored; a body that breaks this schema is answered 400.
         */
        DirectEarnRequest: {
            /**
             * @description The entity type. Only "CUSTOMER" is supported (case sensitive). "USERGROUP2" is accepted
             *     by the endpoint and answered per customer with error 8899. Inferred: any other value
             *     (including "customer") is answered 400.
             * @enum {string}
             */
            type: "CUSTOMER" | "USERGROUP2";
            promotionDetails?: components["schemas"]["PromotionDetails"];
            /**
             * @description The identifier type of the customers: "id" (customer ID), "mobile" or "email".
             * @enum {string}
             */
            identifierName: "id" | "mobile" | "email";
            /**
             * @description List of customers on whom the action will be performed.
             *
             *     NOTE: To set a limit on the number of customers that can be added to a promotion, you
             *     need to enable the Bulk API Redirection feature. To do this, set
             *     BULK_API_REDIRECTION_ENABLED to true. You can then configure the batch size using the
             *     BULK_API_BATCH_SIZE_FOR_REDIRECTION environment variable. If not set, the default batch
             *     size is 10, meaning up to 10 customers can be added to the same promotion. If
             *     BULK_API_REDIRECTION_ENABLED is disabled, there is no limit on the number of customers
             *     in the request.
             *
             *     Inferred: with redirection enabled, a request with more customers than the batch size is
             *     answered 400 naming the limit; an empty list is answered 400.
             */
            customers: components["schemas"]["CustomerIdentifier"][];
        };
        /**
         * @description Details of the promotion to enrol the customer in: `programId` and one of `promotionId` or
         *     `promoIdentifier`. A missing `programId`, or neither promotion field, is answered per
         *     customer with error 8881 (not 400). Inferred: a request without `promotionDetails` at all is
         *     answered the same way; when both promotion fields are given, `promotionId` is used.
         */
        PromotionDetails: {
            /**
             * Format: int64
             * @description The ID of the loyalty program. Inferred bound: the doc says int64 but JSON numbers past
             *     ±(2^53 - 1) (9007199254740991) are not exact in JavaScript and most JSON parsers (RFC 8259
             *     §6, I-JSON), so the suite states that bound and an ID beyond it is answered 400 naming
             *     the field and the number as sent.
             */
            programId?: number;
            /**
             * Format: int64
             * @description The ID of the specific promotion (bounded at ±(2^53 - 1), as programId).
             */
            promotionId?: number;
            /** @description The identifier of the promotion, an alternative to `promotionId` (seen in the doc's examples and its 8881 message). */
            promoIdentifier?: string;
        };
        CustomerIdentifier: {
            /** @description The specific identifier value for the identifier type defined in `identifierName`. */
            identifierValue: string;
            /**
             * @description The source of the customer's registration, e.g. "INSTORE". The doc types it Enum but
             *     names only INSTORE. Inferred: any non-empty string is accepted; absent means INSTORE.
             * @example INSTORE
             */
            source?: string;
        };
        DirectEarnResponse: {
            /** @description A list of responses for each processed entity. Inferred, one per customer of the request, in request order. */
            response: components["schemas"]["EntityResponse"][];
            /** @description The total number of entities processed. */
            totalCount: number;
            /** @description The total number of entities that failed to process (entries with errors; a warning is not a failure). */
            failureCount: number;
        };
        EntityResponse: {
            result?: components["schemas"]["EarnResult"];
            /** @description A list of errors, if any, for the processed entity. */
            errors: components["schemas"]["Message"][];
            /** @description A list of warnings, if any, for the processed entity. */
            warnings: components["schemas"]["Message"][];
        };
        /** @description The result details for the entity. `issualId` and `earnedId` are absent when the promotion was not issued (warning 8890). */
        EarnResult: {
            /**
             * @description The type of entity.
             * @example CUSTOMER
             */
            entityType: string;
            /**
             * Format: int64
             * @description The ID of the entity.
             */
            entityId: number;
            /**
             * Format: int64
             * @description The ID of the promotion associated with the entity.
             */
            promotionId?: number;
            /** @description The identifier of the promotion, present when the request named the promotion by `promoIdentifier`. */
            promoIdentifier?: string;
            /** @description The name of the promotion. */
            promotionName?: string;
            /**
             * Format: int64
             * @description The ID of the program associated with the promotion.
             */
            programId: number;
            /** @description This ID is not applicable for direct issue promotion. This is for backend use. */
            issualId?: components["schemas"]["IntegerOrNumericString"];
            /** @description Unique ID generated when a promotion is issued. */
            earnedId?: components["schemas"]["IntegerOrNumericString"];
        };
        /**
         * @description The doc's table types `issualId` and `earnedId` as Integer while its examples show numeric
         *     strings ("811"). Both are accepted; the reference provider answers strings, as the examples do.
         */
        IntegerOrNumericString: number | string;
        /** @description An error or a warning about one entity. `code` is one of `x-directearn-catalogue`. */
        Message: {
            /** @constant */
            status: false;
            code: number;
            message: string;
        };
        /**
         * @description Inferred: the body of every non-200 answer, in the same shape as a per-entity error so a
         *     client reads both alike. `code` is the HTTP status; `field` is the JSON pointer of the
         *     request field at fault, when one is.
         */
        HttpError: {
            errors: {
                /** @constant */
                status: false;
                code: number;
                message: string;
                field?: string;
            }[];
        };
    };
    responses: {
        /** @description Inferred. The body is not JSON, breaks the request schema, or has more customers than the redirection batch size allows. The message names the field at fault. */
        BadRequest: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["HttpError"];
            };
        };
        /** @description Inferred. No valid credentials (Basic, Bearer or X-CAP-API-OAUTH-TOKEN). */
        Unauthorized: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["HttpError"];
            };
        };
        /** @description Inferred. Valid credentials without write access to the customer group resource. */
        Forbidden: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["HttpError"];
            };
        };
        /** @description Inferred. The body is larger than the server accepts. */
        PayloadTooLarge: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["HttpError"];
            };
        };
        /** @description Inferred. The Content-Type is not application/json. */
        UnsupportedMediaType: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["HttpError"];
            };
        };
        /** @description Inferred (the doc says rate limit NA). Only when a rate limit is configured; wait `Retry-After` seconds. */
        TooManyRequests: {
            headers: {
                "Retry-After": components["headers"]["Retry-After"];
                "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["HttpError"];
            };
        };
        /** @description Inferred (the doc is silent on load). The server is past its capacity and shed the request before processing it (nothing was issued); wait `Retry-After` seconds. */
        ServiceUnavailable: {
            headers: {
                "Retry-After": components["headers"]["Retry-After"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["HttpError"];
            };
        };
        /** @description Inferred. The server failed; the request may or may not have been processed. */
        ServerError: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["HttpError"];
            };
        };
    };
    parameters: never;
    requestBodies: never;
    headers: {
        /** @description Inferred (the doc says rate limit NA). Requests allowed per second when a rate limit is configured. */
        "X-RateLimit-Limit": number;
        /** @description Inferred. Requests left in the current window when a rate limit is configured. */
        "X-RateLimit-Remaining": number;
        /** @description Inferred. Seconds until the window refills when a rate limit is configured. */
        "X-RateLimit-Reset": number;
        /** @description Inferred. Whole seconds to wait before retrying a request refused with 429 (or shed with 503). */
        "Retry-After": number;
    };
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    bulkDirectEarn: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["DirectEarnRequest"];
            };
        };
        responses: {
            /**
             * @description The bulk request was processed: one entry per customer of the request, in request
             *     order, whether each earned, failed (`errors`) or was warned (`warnings`).
             *     Inferred: the status is 200 even when every entry failed.
             */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DirectEarnResponse"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
            "5XX": components["responses"]["ServerError"];
        };
    };
}
