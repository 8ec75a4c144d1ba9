package dev.comments.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.EvaluationResult;
import dev.comments.query.archfixture.CarelessStore;
import org.junit.jupiter.api.Test;

/** The architecture rule is only worth something if it can fail: here it must. */
class ReadPreferenceRuleTest {
  @Test
  void catches_direct_helper_and_lambda_reads_without_a_read_preference() {
    EvaluationResult result =
        QuerySideArchitectureTest.public_methods_that_read_a_collection_name_their_read_preference
            .evaluate(new ClassFileImporter().importClasses(CarelessStore.class));

    assertThat(result.getFailureReport().getDetails())
        .hasSize(3)
        .anyMatch(line -> line.contains("readsDirectly"))
        .anyMatch(line -> line.contains("readsThroughAPrivateHelper"))
        .anyMatch(line -> line.contains("readsInALambda"))
        .noneMatch(line -> line.contains("readsWithAPreference"))
        .noneMatch(line -> line.contains("onlyWrites"));
  }
}
