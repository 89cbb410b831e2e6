// The package names a types file it does not ship; this is the part of its API the suite uses.
declare module '@pactflow/swagger-mock-validator' {
  export interface SmvIssue {
    code: string;
    message: string;
    type?: string;
    mockDetails?: { interactionDescription?: string | null; location?: string };
  }
  export interface SmvOutcome {
    success: boolean;
    errors: SmvIssue[];
    warnings: SmvIssue[];
  }
  export const SwaggerMockValidatorFactory: {
    create(auth?: string): {
      validate(options: {
        specPathOrUrl: string;
        mockPathOrUrl: string;
        /** 'true' / 'false' as the CLI passes them. */
        additionalPropertiesInResponse?: string;
        requiredPropertiesInResponse?: string;
      }): Promise<SmvOutcome>;
    };
  };
}
