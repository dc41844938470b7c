"""Survey rounds (测评 / 民意调查): the questionnaire builder, audiences, answering, results."""
